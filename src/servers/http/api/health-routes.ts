import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { IdParams, withErrors } from './schemas/common-schemas.js';
import { HealthListItemSchema, StreamHealthSchema } from './schemas/health-schemas.js';
import { healthListItemView, mergeHealthLists, streamHealthView } from './health-views.js';
import { healthEventsRoute } from './health-events-route.js';
import { answeredByOwner, healthOf, type HealthRoutesDeps } from './health-lookup.js';
import { forwardedOnce } from './owner-forward.js';

export type { HealthRoutesDeps } from './health-lookup.js';

const tags = ['health'];
const security = [{ bearer: [] }];

/**
 * The list's lines for the streams this process holds (workers: those it owns, not its pulls from siblings; --cluster:
 * not its pulls from other nodes either, which their owners list with every node's viewers).
 */
export function healthListHere(deps: Pick<HealthRoutesDeps, 'monitor' | 'machineList' | 'clusterList'>): Static<typeof HealthListItemSchema>[] {
  const out: Static<typeof HealthListItemSchema>[] = [];
  for (const r of deps.monitor?.reports() ?? []) {
    if (!deps.machineList?.ownersStream(r.path) && !deps.clusterList?.pulledHere(r.path)) out.push(healthListItemView(r));
  }
  return out;
}

/**
 * `/api/v1/streams/:id/health`, its SSE feed and `/api/v1/health` (one line per stream the server holds; the machine's
 * with --workers, the cluster's with --cluster).
 */
export function healthRoutes(deps: HealthRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: Static<typeof IdParams> }>('/streams/:id/health', {
      schema: { tags, security, summary: 'Ingest health now, with 5 minutes of history at 1 s', params: IdParams, response: withErrors({ 200: StreamHealthSchema }) },
    }, async (req, reply) => {
      const { stream, path, report } = await healthOf(deps, req.params.id);
      if (await answeredByOwner(deps, req, reply, path)) return reply;
      return streamHealthView(report(), stream.id, deps.monitor?.history(path) ?? []);
    });

    app.get('/health', {
      schema: {
        tags, security, summary: 'Health of every stream the server holds, live or in its reconnect window (--workers: the machine\'s; --cluster: the cluster\'s)',
        response: withErrors({ 200: Type.Object({ data: Type.Array(HealthListItemSchema) }) }),
      },
    }, async (req) => {
      const lists: Static<typeof HealthListItemSchema>[][] = [healthListHere(deps)];
      // --cluster: the other nodes' own lists (each node lists the streams it owns), asked over HTTP at once; a node's
      // own list is what another node asks for (a forwarded request), never gathered again.
      const nodes = deps.clusterList && !forwardedOnce(req) ? deps.clusterList.others(req) : undefined;
      // Workers: every worker's streams (each lists those it owns), gathered through the primary.
      if (deps.machineList) {
        const siblings = await deps.machineList.siblings();
        if (siblings.missing > 0) req.log.warn({ missing: siblings.missing }, 'stream list: some workers\' streams are missing from this answer');
        lists.push(...(siblings.parts as Static<typeof HealthListItemSchema>[][]));
      }
      if (nodes) lists.push(...((await nodes).parts as Static<typeof HealthListItemSchema>[][]));
      return { data: lists.length === 1 ? lists[0]! : mergeHealthLists(lists) };
    });

    await app.register(healthEventsRoute(deps));
  };
}
