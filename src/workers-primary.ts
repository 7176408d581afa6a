import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Config } from './config/schema.js';
import type { Logger } from './core/logger.js';
import { announcedUrls } from './config/announced-urls.js';
import { checkClusterSettings, resolveNodeId } from './services/cluster/index.js';
import { checkEdgeSettings } from './app-edge.js';
import type { AudienceShare } from './services/health/index.js';
import { isOnAirMessage, siblingNodeId, workerNodeId, type GatherKind, type PrimaryMessage, type WorkerMessage, type WorkerOwner } from './workers-ipc.js';

/** A worker that dies is started again after this (a crash loop costs a restart per second, not a busy loop). */
const RESTART_DELAY_MS = 1_000;
/**
 * A restart whose start-up fails (PostgreSQL down: a worker does not start without its database) is tried again,
 * the wait doubling up to this: the worker comes back within this of the database, with no restart of the machine.
 */
const RESTART_RETRY_MAX_MS = 5_000;
const SHUTDOWN_DEADLINE_MS = 6_000;
/** A drain's answer waits this long for every worker's count; a worker that is slower is left out of the figure. */
const DRAIN_COUNT_WAIT_MS = 3_000;
/**
 * A scrape (`/metrics`) or the stream list waits this long for the other workers' parts; a worker slower than this
 * (busy, stuck, dying) is left out of that answer and counted as missing. Prometheus' default scrape timeout is 10 s.
 */
const GATHER_WAIT_MS = 2_000;
/** Gathers in flight at once (each a scrape or an API call); beyond this one is answered at once with every part missing. */
const MAX_GATHERS = 256;

interface Slot {
  index: number;
  /** The slot's claim on its cluster node id (workers-ipc workerNodeId), the same for every worker started in it. */
  instance: string;
  worker: Worker | undefined;
  internal: { rtmp: number; http: number } | undefined;
}

/**
 * The `--workers N` primary: forks N workers that share the RTMP/HTTP ports (node:cluster: the primary accepts and
 * hands connections to workers round-robin; Node 20 has no SO_REUSEPORT), keeps the owner directory (which worker
 * holds which live stream) and answers the workers' lookups, restarts a worker that dies. The primary itself opens
 * no database and serves nothing. Worker 1 starts first and alone: it migrates the database, creates the admin
 * token and runs the start-up recovery once.
 */
export async function runPrimary(config: Config, log: Logger, count: number): Promise<void> {
  const plog = log.child({ mod: 'primary' });
  // --cluster: each worker is a cluster node `<node id>-w<index>` (README "Edges and workers"); the base is fixed here
  // so a restarted worker keeps its id (its previous run's sessions are ended at its start, nobody else's).
  const nodeBase = resolveNodeId(config);
  // Checked here, once, in one line: a worker would otherwise make up its own secret that other nodes do not share.
  // (With the longest worker id, `<node id>-w<N>`, which must fit the --node-id rule too.)
  checkClusterSettings(config.cluster ? { ...config, nodeId: workerNodeId(nodeBase, count) } : config);
  if (config.cluster) checkEdgeSettings(config, { locate: async () => undefined });
  // Internal pulls between workers are signed like pulls between nodes; a secret made here if none is configured.
  const secret = config.clusterSecret || randomBytes(32).toString('base64url');
  const slots: Slot[] = Array.from({ length: count }, (_, i) => ({
    index: i + 1, instance: randomBytes(12).toString('base64url'), worker: undefined, internal: undefined,
  }));
  const owners = new Map<string, number>();
  let stopping = false;
  let draining = false;

  // A stream published on no worker of this machine: with --cluster, one worker per stream (by a hash of its
  // path) pulls it from the owning node and packages its HLS; the other workers pull from and forward HLS to it.
  // While that worker is being restarted the next running one stands in, so there is still one pull per machine.
  const designated = (path: string): number | undefined => {
    if (!config.cluster) return undefined;
    const first = firstDesignated(path, count);
    for (let i = 0; i < count; i++) {
      const slot = slots[(first + i) % count]!;
      if (slot.internal) return slot.index;
    }
    return undefined;
  };
  const ownerOf = (path: string, asker: number): WorkerOwner | undefined => {
    const index = owners.get(path) ?? designated(path);
    const internal = index === undefined || index === asker ? undefined : slots[index - 1]!.internal;
    return internal && { nodeId: siblingNodeId(index!), rtmpUrl: `rtmp://127.0.0.1:${internal.rtmp}`, httpUrl: `http://127.0.0.1:${internal.http}` };
  };

  // A worker's HLS viewers of streams it does not own go to each stream's owner (or the worker that pulls it from
  // another node), which counts the machine's viewers of it; a stream no other worker holds has nobody to tell.
  const routeAudience = (from: number, shares: readonly AudienceShare[]): void => {
    const byOwner = new Map<number, AudienceShare[]>();
    for (const share of shares) {
      const index = owners.get(share.path) ?? designated(share.path);
      if (index === undefined || index === from) continue;
      let list = byOwner.get(index);
      if (!list) byOwner.set(index, (list = []));
      list.push(share);
    }
    for (const [index, list] of byOwner) {
      const worker = slots[index - 1]!.worker;
      if (worker?.isConnected()) worker.send({ onair: 'audience', from, shares: list } satisfies PrimaryMessage);
    }
  };

  const fork = (slot: Slot, runOnce: boolean): Promise<WorkerMessage & { onair: 'ready' }> => new Promise((resolve, reject) => {
    const worker = cluster.fork({
      ONAIR_WORKER_INDEX: String(slot.index), ONAIR_WORKER_RUN_ONCE: runOnce ? '1' : '0', ONAIR_CLUSTER_SECRET: secret, ONAIR_WORKER_NODE_BASE: nodeBase,
      ONAIR_WORKER_COUNT: String(count), ONAIR_WORKER_INSTANCE: slot.instance,
    });
    slot.worker = worker;
    let ready = false;
    worker.on('message', (m: unknown) => {
      if (!isOnAirMessage(m)) return;
      const msg = m as WorkerMessage;
      switch (msg.onair) {
        case 'ready':
          ready = true;
          slot.internal = msg.ports.internal;
          resolve(msg);
          return;
        case 'own':
          owners.set(msg.path, slot.index);
          return;
        case 'disown':
          if (owners.get(msg.path) === slot.index) owners.delete(msg.path);
          return;
        case 'locate':
          worker.send({ onair: 'located', id: msg.id, owner: ownerOf(msg.path, slot.index) } satisfies PrimaryMessage);
          return;
        case 'drain':
          drainAll(msg.id, worker);
          return;
        case 'draining':
          drainCounts.get(msg.id)?.(slot.index, msg.publishers);
          return;
        case 'audience':
          routeAudience(slot.index, msg.shares);
          return;
        case 'gather':
          gather(slot.index, worker, msg.id, msg.what);
          return;
        case 'gather-part':
          gathers.get(msg.id)?.(slot.index, msg.part);
          return;
      }
    });
    worker.on('exit', (code, signal) => {
      if (slot.worker === worker) {
        slot.worker = undefined;
        slot.internal = undefined;
      }
      // Its streams are gone with it (their publishers reconnect, and register wherever they land).
      for (const [path, index] of owners) if (index === slot.index) owners.delete(path);
      if (!ready) return reject(new Error(`worker ${slot.index} exited during start-up (code ${code}, signal ${signal})`));
      if (stopping) return;
      // A drained worker leaves for good; the machine has drained when the last one has.
      if (draining) {
        plog.info({ worker: slot.index }, 'worker drained');
        if (slots.every((s) => s.worker === undefined)) process.exit(0);
        return;
      }
      plog.warn({ worker: slot.index, code, signal }, 'worker died; starting it again');
      restart(slot, RESTART_DELAY_MS);
    });
  });

  // Until one start succeeds: giving up would leave the machine a worker short for good after, say, a database
  // outage. (Not unref'd: with every worker down, this timer is what the primary waits on.)
  const restart = (slot: Slot, delayMs: number): void => {
    setTimeout(() => {
      if (stopping || draining) return;
      fork(slot, false).catch((err: Error) => {
        const next = Math.min(delayMs * 2, RESTART_RETRY_MAX_MS);
        plog.error({ worker: slot.index, err: err.message, retryInMs: next }, 'worker restart failed; trying again');
        restart(slot, next);
      });
    }, delayMs);
  };

  // `onair drain` lands on one worker (the API): every worker drains, and none is restarted after it exits. The
  // asker gets the machine's count: each worker's publishers, summed (asked again, the same figure).
  const drainCounts = new Map<number, (index: number, publishers: number) => void>();
  const drainAll = (id: number, asker: Worker): void => {
    if (stopping) return;
    if (!draining) plog.info('draining every worker');
    draining = true;
    const asked = slots.filter((s) => s.worker?.isConnected());
    const counts = new Map<number, number>();
    const answer = (): void => {
      clearTimeout(timer);
      drainCounts.delete(id);
      const publishers = [...counts.values()].reduce((a, b) => a + b, 0);
      if (counts.size < asked.length) plog.warn({ answered: counts.size, asked: asked.length }, 'drain: not every worker told its publishers in time');
      if (asker.isConnected()) asker.send({ onair: 'drain-total', id, publishers } satisfies PrimaryMessage);
    };
    const timer = setTimeout(answer, DRAIN_COUNT_WAIT_MS);
    drainCounts.set(id, (index, publishers) => {
      counts.set(index, publishers);
      if (counts.size === asked.length) answer();
    });
    for (const s of asked) s.worker!.send({ onair: 'drain', id } satisfies PrimaryMessage);
  };

  // `/metrics` or the stream list reached one worker: the others' parts, gathered here with a bound on the wait, go
  // back to it in one message; it merges them with its own (README "Metrics and the stream list under workers").
  const gathers = new Map<number, (index: number, part: unknown) => void>();
  let nextGather = 1;
  const gather = (from: number, asker: Worker, askerId: number, what: GatherKind): void => {
    const others = count - 1;
    const asked = slots.filter((s) => s.index !== from && s.worker?.isConnected());
    const parts = new Map<number, unknown>();
    const answer = (): void => {
      if (asker.isConnected()) asker.send({ onair: 'gathered', id: askerId, parts: [...parts.values()], missing: others - parts.size } satisfies PrimaryMessage);
    };
    if (asked.length === 0 || gathers.size >= MAX_GATHERS) return answer();
    const id = nextGather++;
    const done = (): void => {
      clearTimeout(timer);
      gathers.delete(id);
      answer();
    };
    const timer = setTimeout(() => {
      plog.warn({ what, answered: parts.size, asked: asked.length }, 'gather: not every worker answered in time; answered without it');
      done();
    }, GATHER_WAIT_MS);
    gathers.set(id, (index, part) => {
      parts.set(index, part);
      if (parts.size === asked.length) done();
    });
    for (const s of asked) s.worker!.send({ onair: 'gather', id, what } satisfies PrimaryMessage);
  };

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    plog.info({ signal }, 'shutting down the workers');
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    const alive = slots.map((s) => s.worker).filter((w): w is Worker => w !== undefined && !w.isDead());
    if (alive.length === 0) process.exit(0);
    let left = alive.length;
    for (const w of alive) {
      w.once('exit', () => --left === 0 && process.exit(0));
      if (w.isConnected()) w.send({ onair: 'stop' } satisfies PrimaryMessage);
      else w.kill('SIGTERM');
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  try {
    const first = await fork(slots[0]!, true);
    await Promise.all(slots.slice(1).map((s) => fork(s, false)));
    plog.info({ workers: count, ...announcedUrls(config, first.ports) }, 'OnAir is running: point your encoder at the rtmp URL with your stream key');
  } catch (err) {
    plog.error({ err: (err as Error).message }, 'start-up failed');
    stopping = true;
    for (const s of slots) s.worker?.kill('SIGTERM');
    process.exitCode = 1;
  }
}

/** FNV-1a of a stream path: the same worker for a path on every ask, spread evenly over the workers. */
/** The slot (0-based) first in line to pull `path` from another node for a machine of `count` workers (tests read it too). */
export function firstDesignated(path: string, count: number): number {
  return pathHash(path) % count;
}

function pathHash(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
