import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { OnAirMetrics } from '../../../services/metrics/index.js';
import { aggregateWorkerMetrics, type RegistryJson } from '../../../services/metrics/worker-aggregate.js';
import { ApiError } from '../api-errors.js';

/** `--workers`: how a worker answers a scrape for the whole machine. */
export interface MachineMetrics {
  /** The other workers' registries (getMetricsAsJSON), and how many of them gave none in time. */
  siblings(): Promise<{ readonly parts: readonly unknown[]; readonly missing: number }>;
  /** True for a scrape on this worker's own loopback port: answered with this worker's figures alone. */
  workerOnly(req: IncomingMessage): boolean;
}

/**
 * `GET /metrics`: Prometheus text format; under `--workers` the machine's figures (`machine`), a worker's own on its
 * loopback port. With a token (--metrics-token) a scrape needs
 * `Authorization: Bearer <token>` (Prometheus `authorization: {credentials: ...}`); without one it is open. A refusal is
 * the one HTTP error shape, 401 `unauthorized`.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: OnAirMetrics, token: string, machine?: MachineMetrics): void {
  const expected = Buffer.from(`Bearer ${token}`);
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (token !== '') {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        // The one HTTP error shape ({error: {code, message}}, 401 with WWW-Authenticate: Bearer).
        throw new ApiError('unauthorized', '/metrics needs Authorization: Bearer <the --metrics-token>');
      }
    }
    let body: string;
    if (machine && !machine.workerOnly(req.raw)) {
      // Every worker's registry merged (worker-aggregate.ts): the scrape reads the machine whichever worker it reached.
      const [own, others] = await Promise.all([metrics.registry.getMetricsAsJSON(), machine.siblings()]);
      if (others.missing > 0) req.log.warn({ missing: others.missing }, 'metrics: some workers\' figures are missing from this scrape');
      body = await aggregateWorkerMetrics([own, ...(others.parts as RegistryJson[])], others.missing).metrics();
    } else {
      body = await metrics.registry.metrics();
    }
    return reply.header('cache-control', 'no-store').type(metrics.registry.contentType).send(body);
  });
}
