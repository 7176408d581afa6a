import type { Config } from './config/schema.js';
import type { Logger } from './core/logger.js';
import type { OwnerLocator } from './services/edge/index.js';
import type { AudienceShare } from './services/health/index.js';
import { EDGE_PROTOCOL } from './services/edge/index.js';
import type { RunningOnAir } from './app.js';
import { isOnAirMessage, isWorkerNodeOf, workerNodeId, type GatherKind, type Gathered, type PrimaryMessage, type WorkerMessage, type WorkerOwner } from './workers-ipc.js';

/** A locate the primary has not answered in this long counts as "no owner" (the viewer gets not-found). */
const LOCATE_TIMEOUT_MS = 2_000;
/** HLS requests ask where a stream is at most this often per stream (each request would otherwise be an IPC round trip). */
const HLS_ORIGIN_CACHE_MS = 1_000;
const MAX_PENDING_LOCATES = 10_000;
/** A machine drain's count from the primary (which waits up to 3 s for the workers); past this, this worker's own. */
const DRAIN_TOTAL_TIMEOUT_MS = 5_000;
/** Drain API calls waiting on the primary at once (each is an admin's request; more are answered with the worker's own count). */
const MAX_PENDING_DRAINS = 100;
/** The primary answers a gather within 2 s (GATHER_WAIT_MS); past this it is taken as lost and every sibling as missing. */
const GATHER_TIMEOUT_MS = 3_000;
/** Scrapes and stream lists waiting on the primary at once; more are answered with this worker's part alone. */
const MAX_PENDING_GATHERS = 100;

/**
 * Requests to the primary answered by id, each settled once: by its answer, or with undefined after `timeoutMs`
 * (or at once when `max` are already waiting).
 */
class IpcCalls<T> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: T | undefined): void; timer: NodeJS.Timeout }>();

  constructor(private readonly timeoutMs: number, private readonly max: number) {}

  call(send: (id: number) => void): Promise<T | undefined> {
    if (this.pending.size >= this.max) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answer(id, undefined), this.timeoutMs);
      this.pending.set(id, { resolve, timer });
      send(id);
    });
  }

  answer(id: number, value: T | undefined): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(value);
  }
}

/**
 * The worker's side of the owner directory, which lives in the primary: where a stream is published (a worker
 * asks on a viewer miss). Implements the edge's OwnerLocator, so workers pull from each other like edges do.
 */
class IpcOwnerLocator implements OwnerLocator {
  private readonly calls = new IpcCalls<WorkerOwner>(LOCATE_TIMEOUT_MS, MAX_PENDING_LOCATES);
  private readonly hlsCache = new Map<string, { at: number; origin: Promise<string | undefined> }>();

  constructor(private readonly send: (m: WorkerMessage) => void) {}

  locate(path: string): Promise<WorkerOwner | undefined> {
    return this.calls.call((id) => this.send({ onair: 'locate', id, path }));
  }

  hlsOrigin(path: string): Promise<string | undefined> {
    const now = Date.now();
    const hit = this.hlsCache.get(path);
    if (hit && now - hit.at < HLS_ORIGIN_CACHE_MS) return hit.origin;
    const origin = this.locate(path).then((o) => o?.httpUrl);
    this.hlsCache.set(path, { at: now, origin });
    if (this.hlsCache.size > MAX_PENDING_LOCATES) this.hlsCache.delete(this.hlsCache.keys().next().value!);
    return origin;
  }

  answer(id: number, owner: WorkerOwner | undefined): void {
    this.calls.answer(id, owner);
  }
}

/**
 * One `--workers` worker: the whole server (startOnAir) on the shared ports, plus its internal loopback ports, its
 * publishers registered with the primary, and pulls from the other workers for its viewers.
 */
export async function runWorker(shared: Config, log: Logger): Promise<void> {
  const index = Number(process.env.ONAIR_WORKER_INDEX ?? '1');
  // --cluster: this worker is the cluster node `<machine's node id>-w<index>` (its own leases, sessions and run).
  const nodeBase = process.env.ONAIR_WORKER_NODE_BASE ?? '';
  const count = Number(process.env.ONAIR_WORKER_COUNT ?? '1');
  const config: Config = shared.cluster ? { ...shared, nodeId: workerNodeId(nodeBase, index) } : shared;
  const send = (m: WorkerMessage): void => {
    if (process.connected) process.send!(m);
  };
  const locator = new IpcOwnerLocator(send);
  // Set once started (the primary's messages can arrive before).
  const started: { onair?: RunningOnAir; drainAsked?: boolean } = {};
  const drainTotals = new IpcCalls<number>(DRAIN_TOTAL_TIMEOUT_MS, MAX_PENDING_DRAINS);
  const drainMachine = (): Promise<number | undefined> => drainTotals.call((id) => send({ onair: 'drain', id }));
  // Set by the health module once started (reports that arrive before are dropped: the next comes a second later).
  let siblingAudience: ((from: number, shares: readonly AudienceShare[]) => void) | undefined;
  const gathers = new IpcCalls<Gathered>(GATHER_TIMEOUT_MS, MAX_PENDING_GATHERS);
  const gather = async (what: GatherKind): Promise<Gathered> =>
    (await gathers.call((id) => send({ onair: 'gather', id, what }))) ?? { parts: [], missing: count - 1 };
  // Set by the metrics and health modules once started; a gather before that gets no part from this worker (missing).
  let gatherPart: ((what: GatherKind) => Promise<unknown>) | undefined;
  process.on('message', (m: unknown) => {
    if (!isOnAirMessage(m)) return;
    const msg = m as PrimaryMessage;
    if (msg.onair === 'located') locator.answer(msg.id, msg.owner);
    else if (msg.onair === 'stop') stop('primary');
    else if (msg.onair === 'drain-total') drainTotals.answer(msg.id, msg.publishers);
    else if (msg.onair === 'audience') siblingAudience?.(msg.from, msg.shares);
    else if (msg.onair === 'gathered') gathers.answer(msg.id, { parts: msg.parts, missing: msg.missing });
    else if (msg.onair === 'gather') {
      const part = gatherPart?.(msg.what);
      part?.then((p) => send({ onair: 'gather-part', id: msg.id, part: p }), (err: Error) => log.warn({ worker: index, err: err.message, what: msg.what }, 'gather: this worker\'s part failed'));
    }
    else if (msg.onair === 'drain') {
      // A worker still starting (a restart) has no publisher yet; it drains as soon as it is up.
      started.drainAsked = true;
      const here = started.onair?.cluster.drainHere() ?? Promise.resolve({ publishers: 0 });
      void here.then((r) => send({ onair: 'draining', id: msg.id, publishers: r.publishers }));
    }
  });
  const { startOnAir } = await import('./app.js');
  const wlog = log.child({ worker: index });
  const running = started.onair = await startOnAir(config, wlog, {
    ownerLocator: locator,
    worker: {
      index, runOnce: process.env.ONAIR_WORKER_RUN_ONCE === '1', hlsOrigin: (path) => locator.hlsOrigin(path),
      // The cluster registry lists this machine's workers as nodes; they are reached through the IPC directory.
      siblingNode: (id) => isWorkerNodeOf(nodeBase, count, id),
      instance: process.env.ONAIR_WORKER_INSTANCE ?? '',
      drainMachine,
      shareAudience: (shares) => send({ onair: 'audience', shares }),
      onSiblingAudience: (listener) => {
        siblingAudience = listener;
      },
      gather,
      onGather: (answer) => {
        gatherPart = answer;
      },
    },
  });
  // The directory: a stream is owned by the worker its publisher reached (pulls from other workers are not owners).
  running.hub.events.on('publish', (e) => e.publisher.protocol !== EDGE_PROTOCOL && send({ onair: 'own', path: e.path }));
  running.hub.events.on('unpublish', (e) => e.publisher.protocol !== EDGE_PROTOCOL && send({ onair: 'disown', path: e.path }));
  if (running.generatedApiToken) {
    console.log(`\nAdmin API token (shown once, store it now): ${running.generatedApiToken}\n`);
  }
  wlog.info({ pid: process.pid, internal: running.ports.internal, nodeId: running.cluster.coordinator.nodeId }, 'worker ready');
  send({ onair: 'ready', index, ports: { rtmp: running.ports.rtmp, http: running.ports.http, srt: running.ports.srt, internal: running.ports.internal! } });

  let stopping = false;
  function stop(why: string, exitCode = 0): void {
    if (stopping) return;
    stopping = true;
    wlog.info({ why }, 'worker shutting down');
    setTimeout(() => process.exit(1), 5_000).unref();
    (started.onair?.close() ?? Promise.resolve()).then(() => process.exit(exitCode), () => process.exit(1));
  }
  // Drained (this worker's share of `onair drain`): it leaves, and the primary does not start it again.
  void running.cluster.drained.then(() => stop('drained'));
  // Its worker id is held by another process: it leaves; the primary starts it again, and the new one waits at
  // start for the id to be free (or stops with the id named if the other keeps it).
  running.cluster.coordinator.onIdClash(() => stop('worker id in use by another process', 2));
  if (started.drainAsked) void running.cluster.drainHere();
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('disconnect', () => stop('primary gone'));
}
