import type { AudienceShare } from './services/health/index.js';

/** The messages between the `--workers` primary and its workers (node:cluster IPC). */
export type WorkerMessage =
  | { onair: 'ready'; index: number; ports: { rtmp: number; http: number; srt: number | null; internal: { rtmp: number; http: number } } }
  | { onair: 'own'; path: string }
  | { onair: 'disown'; path: string }
  | { onair: 'locate'; id: number; path: string }
  /** `onair drain` reached this worker (API): the primary drains every worker and answers `drain-total` with `id`. */
  | { onair: 'drain'; id: number }
  /** This worker's share of drain `id`: the publishers it closes. */
  | { onair: 'draining'; id: number; publishers: number }
  /** Once a second: this worker's HLS, RTMP and FLV viewers of streams it does not own, for their owners (README "Viewer counts under workers"). */
  | { onair: 'audience'; shares: AudienceShare[] }
  /** A scrape or list reached this worker: the primary asks every other worker for its part and answers `gathered` with `id`. */
  | { onair: 'gather'; id: number; what: GatherKind }
  /** This worker's part of the primary's gather `id` (JSON: prom-client's getMetricsAsJSON, or health list items). */
  | { onair: 'gather-part'; id: number; part: unknown };

export type PrimaryMessage =
  | { onair: 'located'; id: number; owner: WorkerOwner | undefined }
  | { onair: 'stop' }
  | { onair: 'drain'; id: number }
  /** Drain `id`'s publishers on every worker that answered, to the worker that asked. */
  | { onair: 'drain-total'; id: number; publishers: number }
  /** Worker `from`'s viewers of streams the worker told owns (its 'audience' message, the owner's share of it). */
  | { onair: 'audience'; from: number; shares: AudienceShare[] }
  /** The primary asks for this worker's part of a machine-wide answer (answered with `gather-part`). */
  | { onair: 'gather'; id: number; what: GatherKind }
  /** To the worker that asked: the other workers' parts, and how many of the machine's other workers gave none in time. */
  | { onair: 'gathered'; id: number; parts: unknown[]; missing: number };

/** What a worker gathers from its siblings: `/metrics` (each worker's registry as JSON), `/api/v1/health` (each worker's streams). */
export type GatherKind = 'metrics' | 'health';

/** The other workers' parts of a machine-wide answer; `missing`: other workers that gave none within the wait (or are being restarted). */
export interface Gathered {
  readonly parts: readonly unknown[];
  readonly missing: number;
}

/** A stream's owner as the primary answers a worker: an OwnerAddress plus its internal HTTP base (HLS). */
export interface WorkerOwner {
  nodeId: string;
  rtmpUrl: string;
  httpUrl: string;
}

/**
 * The owner name of a sibling worker in answers and in its pulls' PublisherInfo.remoteAddress. `@` cannot occur in
 * a --node-id, so a pull from a sibling is never mistaken for a pull from another cluster node.
 */
export function siblingNodeId(index: number): string {
  return `@worker-${index}`;
}

export function isSiblingNodeId(id: string): boolean {
  return id.startsWith('@worker-');
}

export function isOnAirMessage(m: unknown): m is { onair: string } {
  return typeof m === 'object' && m !== null && typeof (m as { onair?: unknown }).onair === 'string';
}

/** With --cluster, worker `index` of a machine whose node id is `base` is the cluster node `<base>-w<index>`. */
export function workerNodeId(base: string, index: number): string {
  return `${base}-w${index}`;
}

/**
 * True for a cluster node id that is one of the `count` workers of the machine `base` (workerNodeId). Not for an id
 * of that shape beyond `count` (`<base>-w9` of a 2-worker machine is another machine's node: its streams are
 * located through the registry like any other's).
 */
export function isWorkerNodeOf(base: string, count: number, id: string): boolean {
  if (!id.startsWith(`${base}-w`)) return false;
  const index = id.slice(base.length + 2);
  return /^[1-9]\d*$/.test(index) && Number(index) <= count;
}
