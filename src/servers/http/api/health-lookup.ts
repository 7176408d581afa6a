import type { FastifyRequest } from 'fastify';
import { streamPathOf, type StreamRecord } from '../../../services/streams/stream-types.js';
import { offlineReport, type HealthMonitor, type HealthReport } from '../../../services/health/index.js';
import { ApiError } from '../api-errors.js';
import { forwardedOnce } from './owner-forward.js';

export interface HealthRoutesDeps {
  readonly streams: { get(id: string): Promise<StreamRecord | null> };
  /** Absent with --health off: every stream reads offline. */
  readonly monitor: HealthMonitor | undefined;
  /**
   * Workers: the internal HTTP base of the worker of this machine that owns stream `path`, when another does; its
   * health (every worker's viewers counted there) is asked of it (owner-forward.ts). Absent = one process.
   */
  readonly ownerWorker?: (path: string) => Promise<string | undefined>;
  /**
   * Workers: `/api/v1/health` lists the machine's streams: `siblings()` gives the other workers' lists (and how many
   * gave none in time); `ownersStream(path)` is true for a stream held here as a pull from its owner (listed there).
   */
  readonly machineList?: {
    siblings(): Promise<{ readonly parts: readonly unknown[]; readonly missing: number }>;
    ownersStream(path: string): boolean;
  };
  /** SSE feeds open at once (default MAX_HEALTH_FEEDS). */
  readonly maxFeeds?: number;
}

export interface StreamHealthLookup {
  readonly stream: StreamRecord;
  readonly path: string;
  /** The stream's latest report (offline when the server does not hold it); call again for a fresh one. */
  report(): HealthReport;
}

/** The API stream `id` (404 stream_not_found when unknown) and how to read its health. */
export async function healthOf(deps: HealthRoutesDeps, id: string): Promise<StreamHealthLookup> {
  const stream = await deps.streams.get(id);
  if (!stream) throw new ApiError('stream_not_found', 'no stream with this id');
  const path = streamPathOf(stream.playbackId);
  return { stream, path, report: () => deps.monitor?.report(path) ?? offlineReport(path, stream.id, Date.now()) };
}

/** Workers: the owning worker's base when another worker owns `path` and `req` was not forwarded here already. */
export async function ownerWorkerOf(deps: HealthRoutesDeps, req: FastifyRequest, path: string): Promise<string | undefined> {
  return deps.ownerWorker && !forwardedOnce(req) ? deps.ownerWorker(path) : undefined;
}
