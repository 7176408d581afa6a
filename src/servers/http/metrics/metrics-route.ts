import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { OnAirMetrics } from '../../../services/metrics/index.js';

/**
 * `GET /metrics`: Prometheus text format. With a token (--metrics-token) a scrape needs
 * `Authorization: Bearer <token>` (Prometheus `authorization: {credentials: ...}`); without one it is open.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: OnAirMetrics, token: string): void {
  const expected = Buffer.from(`Bearer ${token}`);
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (token !== '') {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer').type('text/plain').send('unauthorized\n');
      }
    }
    const body = await metrics.registry.metrics();
    return reply.header('cache-control', 'no-store').type(metrics.registry.contentType).send(body);
  });
}
