import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { IdParams, withErrors } from './schemas/common-schemas.js';
import { HealthListItemSchema, StreamHealthSchema } from './schemas/health-schemas.js';
import { healthListItemView, mergeHealthLists, streamHealthView } from './health-views.js';
import { healthEventsRoute } from './health-events-route.js';
import { healthOf, ownerWorkerOf, type HealthRoutesDeps } from './health-lookup.js';
import { forwardToOwner } from './owner-forward.js';

export type { HealthRoutesDeps } from './health-lookup.js';

const tags = ['health'];
const security = [{ bearer: [] }];

/** The list's lines for the streams this process holds (workers: those it owns, not its pulls from siblings). */
export function healthListHere(deps: Pick<HealthRoutesDeps, 'monitor' | 'machineList'>): Static<typeof HealthListItemSchema>[] {
  const out: Static<typeof HealthListItemSchema>[] = [];
  for (const r of deps.monitor?.reports() ?? []) if (!deps.machineList?.ownersStream(r.path)) out.push(healthListItemView(r));
  return out;
}

/** `/api/v1/streams/:id/health`, its SSE feed and `/api/v1/health` (one line per stream the server holds). */
export function healthRoutes(deps: HealthRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: Static<typeof IdParams> }>('/streams/:id/health', {
      schema: { tags, security, summary: 'Ingest health now, with 5 minutes of history at 1 s', params: IdParams, response: withErrors({ 200: StreamHealthSchema }) },
    }, async (req, reply) => {
      const { stream, path, report } = await healthOf(deps, req.params.id);
      const owner = await ownerWorkerOf(deps, req, path);
      if (owner) return forwardToOwner(req, reply, owner);
      return streamHealthView(report(), stream.id, deps.monitor?.history(path) ?? []);
    });

    app.get('/health', {
      schema: {
        tags, security, summary: 'Health of every stream the server holds (live or in its reconnect window)',
        response: withErrors({ 200: Type.Object({ data: Type.Array(HealthListItemSchema) }) }),
      },
    }, async (req) => {
      const here = healthListHere(deps);
      if (!deps.machineList) return { data: here };
      // Workers: every worker's streams (each lists those it owns), gathered through the primary.
      const others = await deps.machineList.siblings();
      if (others.missing > 0) req.log.warn({ missing: others.missing }, 'stream list: some workers\' streams are missing from this answer');
      return { data: mergeHealthLists([here, ...(others.parts as Static<typeof HealthListItemSchema>[][])]) };
    });

    await app.register(healthEventsRoute(deps));
  };
}
