import type { FastifyReply, FastifyRequest } from 'fastify';
import { streamPathOf, type StreamRecord } from '../../../services/streams/stream-types.js';
import { offlineReport, type HealthMonitor, type HealthReport } from '../../../services/health/index.js';
import { ApiError } from '../api-errors.js';
import { forwardToOwner, forwardedByWorker, forwardedOnce, type ForwardHop } from './owner-forward.js';

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
   * health (every node's viewers counted there) is asked of it. `gone()`, asked when it did not answer: true when the
   * registry shows that node dead (its lease may name it owner a while longer). Absent = not clustered.
   */
  readonly ownerNode?: (path: string) => Promise<{ readonly base: string; gone(): Promise<boolean> } | undefined>;
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
export async function ownerOf(deps: HealthRoutesDeps, req: FastifyRequest, path: string): Promise<{ base: string; hop: ForwardHop; gone?(): Promise<boolean> } | undefined> {
  if (forwardedByWorker(req)) return undefined;
  const node = deps.ownerNode && !forwardedOnce(req) ? await deps.ownerNode(path) : undefined;
  if (node) return { base: node.base, hop: 'node', gone: node.gone };
  const worker = await deps.ownerWorker?.(path);
  return worker ? { base: worker, hop: 'worker' } : undefined;
}

/**
 * Passes the request to the stream's owner (ownerOf) and answers its answer: true when it did. False: no other owner,
 * or an owning node that did not answer and that the registry shows dead (killed, its lease not expired yet): the
 * caller answers here, offline, as once the lease has expired. An owner that did not answer and looks alive (or a
 * sibling worker) is a 502.
 */
export async function answeredByOwner(deps: HealthRoutesDeps, req: FastifyRequest, reply: FastifyReply, path: string): Promise<boolean> {
  const owner = await ownerOf(deps, req, path);
  if (!owner) return false;
  if ((await forwardToOwner(req, reply, owner.base, owner.hop)) === 'answered') return true;
  if (await owner.gone?.()) {
    req.log.info({ owner: owner.base }, 'the node owning this stream is gone (heartbeat overdue): answered here');
    return false;
  }
  throw new ApiError('bad_gateway', `the ${owner.hop} owning this stream did not answer`);
}
