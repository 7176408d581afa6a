import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { MAX_HEALTH_FEEDS } from '../../../services/health/index.js';
import { ApiError } from '../api-errors.js';
import { IdParams, withErrors } from './schemas/common-schemas.js';
import { healthEventView } from './health-views.js';
import { answeredByOwner, healthOf, type HealthRoutesDeps } from './health-lookup.js';

/** A feed whose client stopped reading holds at most this much before it is closed (a few seconds of events). */
const MAX_FEED_BACKLOG_BYTES = 64 * 1024;
/** Without a monitor (--health off) offline events still go out at this pace, so a client sees the feed is alive. */
const OFFLINE_EVENT_INTERVAL_MS = 1000;

const tags = ['health'];
const FeedQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 512, description: 'the admin token, for EventSource (cannot send headers)' })) });

/**
 * `GET /api/v1/streams/:id/health/events`: Server-Sent Events, `event: health` after every evaluation (about once a
 * second), the first at once. Takes the admin token from the header, `?token=` or the `onair_token` cookie.
 */
export function healthEventsRoute(deps: HealthRoutesDeps): FastifyPluginAsync {
  const open = new Set<() => void>();
  const maxFeeds = deps.maxFeeds ?? MAX_HEALTH_FEEDS;
  return async (app) => {
    app.addHook('onClose', async () => {
      for (const end of [...open]) end();
    });
    app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof FeedQuery> }>('/streams/:id/health/events', {
      config: { acceptTokenOutsideHeader: true },
      schema: {
        tags, security: [{ bearer: [] }], summary: 'Server-Sent Events: `event: health` every second (token also as ?token= or cookie onair_token)',
        params: IdParams, querystring: FeedQuery,
        response: withErrors({ 200: Type.String({ description: 'text/event-stream' }) }),
      },
    }, async (req, reply) => {
      const { stream, path, report } = await healthOf(deps, req.params.id);
      // Workers: the feed of the worker owning the stream, passed on (its limit of feeds applies there).
      if (await answeredByOwner(deps, req, reply, path)) return reply;
      if (open.size >= maxFeeds) throw new ApiError('limit_reached', `at most ${maxFeeds} health feeds may be open at once`);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive',
        // nginx in front would otherwise buffer the stream
        'x-accel-buffering': 'no',
      });
      const send = (): void => {
        if (res.writableLength > MAX_FEED_BACKLOG_BYTES) return end();
        res.write(`event: health\ndata: ${JSON.stringify(healthEventView(report(), stream.id))}\n\n`);
      };
      const offs: (() => void)[] = [];
      const end = (): void => {
        if (!open.delete(end)) return;
        for (const off of offs) off();
        res.end();
      };
      open.add(end);
      if (deps.monitor) offs.push(deps.monitor.events.on('evaluated', send));
      else {
        const timer = setInterval(send, OFFLINE_EVENT_INTERVAL_MS);
        offs.push(() => clearInterval(timer));
      }
      req.raw.on('close', end);
      res.on('error', end);
      send();
    });
  };
}
