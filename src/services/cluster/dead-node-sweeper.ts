import type { Logger } from '../../core/logger.js';
import type { Database, Queryable } from '../../db/database.js';
import type { TransactionalEventPublisher } from '../streams/stream-events.js';
import { LostSessionStore, NODE_LOST_REASON, SERVER_RESTART_REASON, type StrandedStream } from '../streams/lost-session-store.js';
import { SessionStore } from '../streams/session-store.js';
import { StreamStore } from '../streams/stream-store.js';
import { summarize } from '../streams/stream-types.js';
import type { NodeLiveness } from './cluster-types.js';

/** ioredis retries a dropped connection at most this far apart (redis-coordinator's retryStrategy). */
const RECONNECT_MAX_MS = 1000;
/** Streams left `active` by sessions ended like this are set idle here (nobody else will). */
const STRANDED_REASONS = [NODE_LOST_REASON, SERVER_RESTART_REASON];

export interface DeadNodeSweeperDeps {
  readonly liveness: NodeLiveness;
  readonly db: Database;
  /**
   * The once-only event queue (webhooks), as the lifecycle uses it; each event is queued in the transaction of
   * the write that causes it (a session ended, a stream set idle), so a crash between them cannot lose it.
   */
  readonly events: TransactionalEventPublisher;
  /** --cluster-lease-ms: the heartbeat lifetime. */
  readonly leaseMs: number;
  readonly log: Logger;
  readonly now?: () => Date;
  /** A node left recordings open (lost: its run, or null = any; or this node id's previous run): finish them. */
  readonly nodeGone?: (nodeId: string, run: string | null, reason: string) => Promise<void>;
}

/**
 * Cleans up after cluster nodes that died with publishers (kill -9, power loss): their sessions stay open in the
 * shared database and their streams `active` because nobody is left to end them. A node is lost when it has
 * open sessions and no registry entry (its heartbeat expired), continuously for another lease, while this node
 * has reached the store without a break for a lease plus a reconnect (after a store outage or restart every
 * live node has re-registered by then: an unreachable store never makes a node look dead). Under a short
 * cluster-wide lock one survivor then marks it lost (the node reads the mark if it comes back, and restarts its
 * publishers), ends its sessions at its last heartbeat with reason `node_lost` (stream.disconnected each), and
 * sets each of its streams idle once the stream's reconnect window has passed, unless some node holds the
 * stream's lease or an open session (a republish elsewhere wins) (stream.idle). A stream whose last session a
 * node ended normally is idled the same way if that node is gone (it died with the idle timer pending). Each
 * write commits in one transaction with the event it causes (webhook deliveries are rows of the same database),
 * and the writes are compare-and-set: an event is queued exactly once, even if a sweep dies half way (its
 * transaction rolls back and the next sweep does it all again) or two sweeps overlap (the second one's
 * compare-and-set waits for the first's commit, then finds nothing left to end).
 */
export class DeadNodeSweeper {
  private readonly lost: LostSessionStore;
  private readonly now: () => Date;
  private readonly log: Logger;
  /** Node id -> when this node first saw it with open sessions and no registry entry (epoch ms). */
  private readonly missingSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private closed = false;
  private failing = false;

  constructor(private readonly deps: DeadNodeSweeperDeps) {
    this.lost = new LostSessionStore(deps.db);
    this.now = deps.now ?? (() => new Date());
    this.log = deps.log.child({ mod: 'dead-node-sweeper' });
  }

  /** Sweeps every half lease (at least every 5 s). */
  start(): void {
    this.timer = setInterval(() => void this.sweep(), Math.min(5000, Math.max(100, Math.floor(this.deps.leaseMs / 2))));
    this.timer.unref();
  }

  /** At start-up, before any publisher: sessions still open under this node's id are its previous run's. */
  async endOwnStaleSessions(): Promise<number> {
    const ended = await this.endSessions(this.deps.liveness.nodeId, this.now(), SERVER_RESTART_REASON, null);
    await this.finishRecordings(this.deps.liveness.nodeId, null, SERVER_RESTART_REASON);
    if (ended.length) this.log.info({ sessions: ended.length }, 'ended the sessions this node id left open before its restart');
    return ended.length;
  }

  /** One pass (serialised); never throws. */
  sweep(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return (this.sweeping ??= this.pass()
      .then(() => void (this.failing = false), (err: unknown) => {
        // Once per failure streak (the database or the store down): the next passes retry quietly.
        if (!this.failing) this.log.warn({ err: (err as Error).message }, 'dead-node sweep failed; retrying every half lease');
        this.failing = true;
      })
      .finally(() => (this.sweeping = undefined)));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.sweeping;
  }

  private storeSteady(): boolean {
    return this.deps.liveness.steadyMs() >= this.deps.leaseMs + RECONNECT_MAX_MS;
  }

  private async pass(): Promise<void> {
    const { liveness, leaseMs } = this.deps;
    if (!this.storeSteady()) {
      this.missingSince.clear(); // absence seen across an outage proves nothing
      return;
    }
    const withOpen = await this.lost.nodesWithOpenSessions(liveness.nodeId);
    const stranded = await this.lost.stranded(STRANDED_REASONS, liveness.nodeId);
    const candidates = [...new Set([...withOpen, ...stranded.flatMap((s) => (this.byReason(s) || !s.nodeId ? [] : [s.nodeId]))])];
    const alive = await liveness.aliveAmong(candidates);
    const nowMs = this.now().getTime();
    for (const id of this.missingSince.keys()) if (!candidates.includes(id) || alive.has(id)) this.missingSince.delete(id);
    for (const id of candidates) if (!alive.has(id) && !this.missingSince.has(id)) this.missingSince.set(id, nowMs);
    const gone = (id: string | null) => id !== null && nowMs - (this.missingSince.get(id) ?? nowMs) >= leaseMs;
    const lost = withOpen.filter(gone);
    const due = (s: StrandedStream) => this.windowPassed(s) && (this.byReason(s) || gone(s.nodeId));
    if (lost.length === 0 && !stranded.some(due)) return;
    if (!this.storeSteady()) return;
    const token = await liveness.lockSweep(Math.max(5000, 5 * leaseMs));
    if (!token) return; // another survivor is at it
    try {
      for (const nodeId of lost) await this.endLostNode(nodeId);
      // Again: the node(s) just ended may have left streams whose window has already passed.
      for (const s of await this.lost.stranded(STRANDED_REASONS, liveness.nodeId)) if (due(s)) await this.idle(s);
    } finally {
      await liveness.unlockSweep(token).catch(() => {}); // it expires by itself
    }
  }

  /**
   * Ended by a sweep (node_lost, server_restart): nobody else will idle the stream. Otherwise its node ended it and
   * idles it when the window passes, unless that node is gone (it died with the timer pending).
   */
  private byReason(s: StrandedStream): boolean {
    return STRANDED_REASONS.includes(s.endReason);
  }

  private async endLostNode(nodeId: string): Promise<void> {
    const mark = await this.deps.liveness.markLost(nodeId);
    this.missingSince.delete(nodeId);
    if (!mark) return; // it registered again meanwhile
    const detectedAt = this.now();
    const at = mark.lastSeenMs === null ? detectedAt : new Date(Math.min(mark.lastSeenMs, detectedAt.getTime()));
    // Only the run it had: if it comes back it reads the mark first and starts a new run for its new sessions.
    const ended = await this.endSessions(nodeId, at, NODE_LOST_REASON, mark.run);
    this.log.warn({ node: nodeId, sessions: ended.length, lastSeen: at.toISOString() }, 'cluster node lost (heartbeat expired): its open sessions ended');
    await this.finishRecordings(nodeId, mark.run, NODE_LOST_REASON);
  }

  /** Ends `nodeId`'s open sessions (of `run`, or all) with one stream.disconnected each, in one transaction. Their ids. */
  private async endSessions(nodeId: string, at: Date, reason: string, run: string | null): Promise<string[]> {
    const { ids, queued } = await this.deps.db.transaction(async (tx) => {
      const ids = await new LostSessionStore(tx).endOpenOfNode(nodeId, at, reason, run);
      const queued: (() => void)[] = [];
      for (const id of ids) queued.push(await this.queueSessionEvent(tx, 'stream.disconnected', id));
      return { ids, queued };
    });
    for (const q of queued) q();
    return ids;
  }

  /** Never fails the sweep: the sessions are ended already, and a recording left open is logged. */
  private async finishRecordings(nodeId: string, run: string | null, reason: string): Promise<void> {
    await this.deps.nodeGone?.(nodeId, run, reason)
      .catch((err: unknown) => this.log.error({ err, node: nodeId }, 'recordings a node left open not finished'));
  }

  private windowPassed(s: StrandedStream): boolean {
    const windowMs = s.disabled ? 0 : s.reconnectWindowSec * 1000;
    return this.now().getTime() - s.endedAt.getTime() >= windowMs;
  }

  private async idle(s: StrandedStream): Promise<void> {
    if (await this.deps.liveness.leaseHeld(s.streamPath)) return; // live on some node: its lifecycle owns the status
    const queued = await this.deps.db.transaction(async (tx) => {
      if (!(await new LostSessionStore(tx).idleIfUnclaimed(s.streamId, this.now()))) return undefined;
      return this.queueSessionEvent(tx, 'stream.idle', s.sessionId);
    });
    if (!queued) return;
    queued();
    this.log.info({ streamId: s.streamId }, 'stream of a lost node set idle (its reconnect window passed)');
    // Its node died with the reconnect window running: a recording waiting for the reconnect is left open too.
    if (!this.byReason(s) && s.nodeId) await this.finishRecordings(s.nodeId, null, NODE_LOST_REASON);
  }

  /**
   * The lifecycle's event shape (the stream, never its key, and the session), read and queued in `tx`, the
   * transaction of the write it reports. What to run after the commit.
   */
  private async queueSessionEvent(tx: Queryable, type: 'stream.disconnected' | 'stream.idle', sessionId: string): Promise<() => void> {
    const session = await new SessionStore(tx).get(sessionId);
    const stream = session?.streamId ? await new StreamStore(tx).get(session.streamId) : null;
    if (!session || !stream) return () => {};
    return this.deps.events.publishIn(tx, type, { stream: summarize(stream), session });
  }
}
