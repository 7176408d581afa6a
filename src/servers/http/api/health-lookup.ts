import type { FastifyRequest } from 'fastify';
import { streamPathOf, type StreamRecord } from '../../../services/streams/stream-types.js';
import { offlineReport, type HealthMonitor, type HealthReport } from '../../../services/health/index.js';
import { ApiError } from '../api-errors.js';
import { forwardedByWorker, forwardedOnce, type ForwardHop } from './owner-forward.js';

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
   * --cluster: the HTTP base of the node that owns stream `path` when another node (not this machine) does; its
   * health (every node's viewers counted there) is asked of it. Absent = not clustered.
   */
  readonly ownerNode?: (path: string) => Promise<string | undefined>;
  /**
   * Workers: `/api/v1/health` lists the machine's streams: `siblings()` gives the other workers' lists (and how many
   * gave none in time); `ownersStream(path)` is true for a stream held here as a pull from its owner (listed there).
   */
  readonly machineList?: {
    siblings(): Promise<{ readonly parts: readonly unknown[]; readonly missing: number }>;
    ownersStream(path: string): boolean;
  };
  /**
   * --cluster: `/api/v1/health` lists the cluster's streams: `others(req)` gives the other nodes' own lists (asked
   * over HTTP with the caller's token, and how many gave none in time); `pulledHere(path)` is true for a stream held
   * here as a pull from another node, live or ended (its owner lists it).
   */
  readonly clusterList?: {
    others(req: FastifyRequest): Promise<{ readonly parts: readonly unknown[]; readonly missing: number }>;
    pulledHere(path: string): boolean;
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

/**
 * Where a stream's health is read when not here: the owning node's API (--cluster: another node owns it and no node
 * forwarded this request yet), else the owning worker's internal port (--workers: another worker of this machine owns
 * it). A request a worker forwarded is answered where it lands: a forward never loops.
 */
export async function ownerOf(deps: HealthRoutesDeps, req: FastifyRequest, path: string): Promise<{ base: string; hop: ForwardHop } | undefined> {
  if (forwardedByWorker(req)) return undefined;
  const node = deps.ownerNode && !forwardedOnce(req) ? await deps.ownerNode(path) : undefined;
  if (node) return { base: node, hop: 'node' };
  const worker = await deps.ownerWorker?.(path);
  return worker ? { base: worker, hop: 'worker' } : undefined;
}
