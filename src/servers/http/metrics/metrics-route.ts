import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { OnAirMetrics } from '../../../services/metrics/index.js';
import { ApiError } from '../api-errors.js';

/**
 * `GET /metrics`: Prometheus text format. With a token (--metrics-token) a scrape needs
 * `Authorization: Bearer <token>` (Prometheus `authorization: {credentials: ...}`); without one it is open. A refusal is
 * the one HTTP error shape, 401 `unauthorized`.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: OnAirMetrics, token: string): void {
  const expected = Buffer.from(`Bearer ${token}`);
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (token !== '') {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        // The one HTTP error shape ({error: {code, message}}, 401 with WWW-Authenticate: Bearer).
        throw new ApiError('unauthorized', '/metrics needs Authorization: Bearer <the --metrics-token>');
      }
    }
    const body = await metrics.registry.metrics();
    return reply.header('cache-control', 'no-store').type(metrics.registry.contentType).send(body);
  });
}
