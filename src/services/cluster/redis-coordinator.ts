import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { isOnAirError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { TypedEmitter } from '../../core/typed-emitter.js';
import type { ClaimResult, ClusterCoordinator, ClusterEvent, LeaseLoss, NodeLiveness, NodeMail, NodeRecord, OwnerAddress, StreamNotes } from './cluster-types.js';
import { CLAIM, DELETE_NOTE_IF, HOLD, RELEASE, type ScriptReply } from './lease-scripts.js';
import { NodeRegistry } from './node-registry.js';
import { RedisLiveness } from './redis-liveness.js';

export interface RedisCoordinatorOptions {
  readonly url: string;
  readonly nodeId: string;
  /** Lease and heartbeat lifetime; both are renewed every third of it. */
  readonly leaseMs: number;
  /** Key and channel prefix (several clusters on one Redis). */
  readonly prefix?: string;
  readonly log: Logger;
  /** This process's claim on its node id (default: random per process; a `--workers` worker keeps its slot's across restarts). */
  readonly instance?: string;
}

/** Largest pub/sub message read (ours are ~200 bytes); anything larger is someone else's and ignored. */
const MAX_EVENT_BYTES = 64 * 1024;
/** A command that gets no answer within this counts as the store being unreachable. */
const COMMAND_TIMEOUT_MS = 2000;

/**
 * The cluster state in Redis: node registry with heartbeats, stream leases with fencing tokens, events on one
 * pub/sub channel. While Redis is unreachable nothing here stops media: leases held stay held, new claims are
 * accepted locally (`degraded`), and on reconnect the node registers again and re-claims every lease it holds;
 * a path another node claimed meanwhile is lost (the publisher is kicked by the listener of `onLeaseLost`).
 */
export class RedisCoordinator implements ClusterCoordinator {
  readonly clustered = true;
  readonly nodeId: string;
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly registry: NodeRegistry;
  private readonly leases = new Map<string, number>();
  private readonly emitter: TypedEmitter<{ event: [ClusterEvent]; lost: [LeaseLoss]; declaredLost: []; idClash: []; mail: [string] }>;
  readonly liveness: NodeLiveness;
  readonly notes: StreamNotes;
  readonly mail: NodeMail;
  /** This node's own channel (NodeMail). */
  private readonly mailbox: string;
  /** Since when (epoch ms) every command has succeeded; undefined after a failure or a dropped connection. */
  private reachableSince: number | undefined;
  private readonly log: Logger;
  private readonly prefix: string;
  private readonly channel: string;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private connecting: Promise<void> | undefined;
  /** Set when the connection dropped: the next tick re-registers and re-claims (the store may have restarted empty). */
  private reconcile = false;
  private degraded = false;
  private closed = false;
  /** A heartbeat found another process holding this node id: logged and announced once, and this node leaves. */
  private idClash = false;

  constructor(private readonly opts: RedisCoordinatorOptions) {
    this.nodeId = opts.nodeId;
    this.prefix = opts.prefix ?? 'onair:';
    this.channel = `${this.prefix}events`;
    this.mailbox = mailboxOf(this.prefix, this.nodeId);
    this.log = opts.log.child({ mod: 'cluster', node: opts.nodeId });
    this.emitter = new TypedEmitter((err, event) => this.log.error({ err, event }, 'cluster listener threw'));
    const common = {
      lazyConnect: true, commandTimeout: COMMAND_TIMEOUT_MS, connectTimeout: COMMAND_TIMEOUT_MS,
      // Reconnect forever, at most a second apart: the outage policy depends on coming back without a restart.
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
    };
    // No offline queue: a command while disconnected fails at once, and the caller takes the outage path.
    this.redis = new Redis(opts.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    this.sub = new Redis(opts.url, { ...common, autoResubscribe: true });
    this.registry = new NodeRegistry(this.redis, this.prefix, opts.leaseMs, opts.instance ?? randomBytes(12).toString('base64url'));
    this.redis.on('error', (err: Error) => this.log.debug({ err: err.message }, 'redis error'));
    this.sub.on('error', (err: Error) => this.log.debug({ err: err.message }, 'redis subscriber error'));
    this.redis.on('close', () => {
      this.reconcile = true;
      this.reachableSince = undefined;
    });
    this.liveness = new RedisLiveness(
      this.redis, this.prefix, this.nodeId, () => this.reachableSince === undefined ? 0 : Date.now() - this.reachableSince, () => this.registry.run(),
    );
    const noteKey = (kind: string, path: string): string => `${this.prefix}${kind}:${path}`;
    this.notes = {
      get: async (kind, path) => (await this.redis.get(noteKey(kind, path))) ?? undefined,
      set: async (kind, path, value, ttlMs) => {
        await this.redis.set(noteKey(kind, path), value, 'PX', Math.max(1, Math.round(ttlMs)));
      },
      deleteIfStartsWith: async (kind, path, prefix) => {
        await this.redis.eval(DELETE_NOTE_IF, 1, noteKey(kind, path), prefix);
      },
    };
    this.mail = {
      send: async (nodeId, message) => {
        await this.redis.publish(mailboxOf(this.prefix, nodeId), message);
      },
      onMail: (listener) => this.emitter.on('mail', listener),
    };
    this.redis.on('ready', () => void this.tick());
    // On every (re)connect, also one that follows a failed first connect (nothing to auto-resubscribe then).
    this.sub.on('ready', () => void this.sub.subscribe(this.channel, this.mailbox).catch(() => {}));
    this.sub.on('message', (channel: string, message: string) => {
      if (channel === this.mailbox) this.emitter.emit('mail', message);
      else this.onMessage(message);
    });
  }

  async othersAlive(): Promise<boolean> {
    await this.connect();
    try {
      return (await this.registry.list()).some((n) => n.nodeId !== this.nodeId);
    } catch (err) {
      this.outage(err as Error);
      return true;
    }
  }

  /**
   * Claims this node id for this process before anything runs under it: throws ONAIR_ERR_CONFIG when another running
   * process holds it; waits up to a lease for the claim of a previous run that died. While Redis cannot be reached
   * the start goes on (outage policy): the first heartbeat claims the id, and logs an error if it is taken.
   */
  async reserveId(): Promise<void> {
    await this.connect();
    try {
      await this.registry.reserve(this.nodeId);
    } catch (err) {
      if (isOnAirError(err, 'ONAIR_ERR_CONFIG')) throw err;
      this.outage(err as Error);
    }
  }

  async start(advertise: { rtmpUrl: string; httpUrl: string }): Promise<void> {
    this.registry.describe({ nodeId: this.nodeId, ...advertise, draining: false, startedAt: new Date().toISOString() });
    await this.connect();
    await this.ticking; // a tick the first 'ready' started ran before this node had a record to write
    await this.tick();
    if (!this.degraded) await this.broadcast({ type: 'node.up', nodeId: this.nodeId });
    this.timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.opts.leaseMs / 3)));
    this.timer.unref();
  }

  async claim(path: string, { force }: { force: boolean }): Promise<ClaimResult> {
    if (this.closed) return { ok: false, owner: this.nodeId, token: 0 };
    let reply: ScriptReply;
    try {
      reply = await this.redis.eval(CLAIM, 2, this.leaseKey(path), this.fenceKey(), this.nodeId, this.opts.leaseMs, force ? '1' : '0') as ScriptReply;
    } catch (err) {
      // Outage policy: accept locally; the next tick after the store is back claims it for real (or loses it).
      this.outage(err as Error);
      if (!this.leases.has(path)) this.leases.set(path, 0);
      return { ok: true, token: this.leases.get(path)!, degraded: true };
    }
    const [ok, owner, token] = reply;
    if (!ok) return { ok: false, owner, token: token ?? 0 };
    const before = this.leases.get(path);
    this.leases.set(path, token!);
    if (before !== token) void this.broadcast({ type: 'lease.claimed', nodeId: this.nodeId, path, token: token! });
    return { ok: true, token: token! };
  }

  async release(path: string): Promise<void> {
    const token = this.leases.get(path);
    if (token === undefined) return;
    this.leases.delete(path);
    try {
      if (await this.redis.eval(RELEASE, 1, this.leaseKey(path), this.nodeId, String(token))) {
        await this.broadcast({ type: 'lease.released', nodeId: this.nodeId, path, token });
      }
    } catch (err) {
      this.outage(err as Error); // the lease expires by itself
    }
  }

  held(): ReadonlyMap<string, number> {
    return this.leases;
  }

  async locate(path: string): Promise<OwnerAddress | undefined> {
    try {
      const owner = await this.redis.hget(this.leaseKey(path), 'node');
      if (!owner || owner === this.nodeId) return undefined;
      const node = await this.registry.get(owner);
      return node ? { nodeId: node.nodeId, rtmpUrl: node.rtmpUrl, ...(node.httpUrl ? { httpUrl: node.httpUrl } : {}) } : undefined;
    } catch (err) {
      this.outage(err as Error);
      return undefined;
    }
  }

  async ownerGone(nodeId: string): Promise<boolean> {
    try {
      return await this.registry.heartbeatOverdue(nodeId);
    } catch (err) {
      this.outage(err as Error);
      return false;
    }
  }

  async setDraining(draining: boolean): Promise<void> {
    this.registry.setDraining(draining);
    await this.heartbeat().catch((err: Error) => this.outage(err));
    if (draining) await this.broadcast({ type: 'node.draining', nodeId: this.nodeId });
  }

  nodes(): Promise<NodeRecord[]> {
    return this.registry.list();
  }

  async broadcast(event: ClusterEvent): Promise<void> {
    try {
      await this.redis.publish(this.channel, JSON.stringify(event));
    } catch (err) {
      this.outage(err as Error);
    }
  }

  onEvent(listener: (event: ClusterEvent) => void): () => void {
    return this.emitter.on('event', listener);
  }

  onLeaseLost(listener: (loss: LeaseLoss) => void): () => void {
    return this.emitter.on('lost', listener);
  }

  onDeclaredLost(listener: () => void): () => void {
    return this.emitter.on('declaredLost', listener);
  }

  onIdClash(listener: () => void): () => void {
    return this.emitter.on('idClash', listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.ticking;
    if (this.redis.status === 'ready') {
      await Promise.all([...this.leases.keys()].map((p) => this.release(p)));
      // After an id clash the id lives on in the other process: announcing it down would be false.
      if (!this.idClash) await this.broadcast({ type: 'node.down', nodeId: this.nodeId });
      await this.registry.remove().catch(() => {});
    }
    this.leases.clear();
    this.redis.disconnect();
    this.sub.disconnect();
  }

  /** Connects both connections once; an unreachable store is an outage (ioredis keeps reconnecting), not a failed start. */
  private connect(): Promise<void> {
    return (this.connecting ??= Promise.all([
      this.redis.connect().catch((err: Error) => this.outage(err)),
      this.sub.connect().catch(() => {}),
    ]).then(() => {}));
  }

  /** One heartbeat: the node record, then every held lease (serialised: a slow store never stacks ticks). */
  private tick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return (this.ticking ??= this.renewAll().finally(() => (this.ticking = undefined)));
  }

  private async renewAll(): Promise<void> {
    const reclaim = this.reconcile;
    try {
      await this.heartbeat();
      const held = [...this.leases];
      const pipe = this.redis.pipeline();
      for (const [path, token] of held) {
        // Always with reclaim: a lease that expired with nobody else claiming it (this process was late, a stall
        // or a starved machine; or the store restarted empty) is claimed again atomically with a new token, not
        // given up: no other publisher exists, and kicking ours would only cost its viewers a reconnect.
        pipe.eval(HOLD, 2, this.leaseKey(path), this.fenceKey(), this.nodeId, String(token), this.opts.leaseMs, '1');
      }
      const replies = held.length ? await pipe.exec() : [];
      held.forEach(([path, token], i) => this.settle(path, token, replies?.[i], reclaim));
      if (reclaim) this.reconcile = false;
      this.reachableSince ??= Date.now();
      if (this.degraded) this.log.info({ leases: this.leases.size }, 'cluster store reachable again: node registered, leases re-claimed');
      this.degraded = false;
    } catch (err) {
      this.outage(err as Error);
    }
  }

  /** Renews the registry entry; a "declared lost" mark found there means the sessions here were ended by a survivor. */
  private async heartbeat(): Promise<void> {
    const found = await this.registry.heartbeat();
    if (found === 'id-in-use') {
      if (!this.idClash) {
        this.log.error('another OnAir process holds this node id (this node was cut off from Redis longer than a lease and it started meanwhile): this node leaves so that the two do not share leases and sessions; give every machine its own --node-id');
        this.idClash = true;
        this.emitter.emit('idClash');
      }
      return;
    }
    if (found !== 'declared-lost') return;
    this.log.warn('this node was declared lost by another node (its heartbeat had expired) and its sessions ended: closing its publishers so they reconnect');
    this.emitter.emit('declaredLost');
  }

  /** `afterOutage`: the store was unreachable since the last renewal (a lease found gone then is no surprise). */
  private settle(path: string, token: number, result: [Error | null, unknown] | undefined, afterOutage: boolean): void {
    if (!result || result[0]) throw result?.[0] ?? new Error('no reply');
    if (this.leases.get(path) !== token) return; // released or re-claimed meanwhile
    const [ok, owner, now] = result[1] as ScriptReply;
    if (ok) {
      if (now !== token) {
        if (!afterOutage) {
          this.log.warn({ path, token: now }, `stream lease had expired before its renewal (not renewed within ${this.opts.leaseMs} ms: this process or the store was late); no other node held it, so it is claimed again and the publisher stays`);
        }
        this.leases.set(path, now!);
        void this.broadcast({ type: 'lease.claimed', nodeId: this.nodeId, path, token: now! });
      }
      return;
    }
    this.lose(path, owner ? `claimed by node ${owner} with fencing token ${now} (ours: ${token})` : `lease expired (not renewed within ${this.opts.leaseMs} ms)`);
  }

  private lose(path: string, reason: string): void {
    if (!this.leases.delete(path)) return;
    this.log.warn({ path, reason }, 'stream lease lost: this node no longer owns the stream');
    this.emitter.emit('lost', { path, reason });
  }

  private onMessage(message: string): void {
    if (message.length > MAX_EVENT_BYTES) return;
    let event: ClusterEvent;
    try {
      event = JSON.parse(message) as ClusterEvent;
    } catch {
      return;
    }
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return;
    // A higher token for a path we hold: someone took it over; stop now rather than at the next renewal.
    if (event.type === 'lease.claimed' && event.nodeId !== this.nodeId) {
      const ours = this.leases.get(event.path);
      if (ours !== undefined && event.token > ours) this.lose(event.path, `claimed by node ${event.nodeId} with fencing token ${event.token} (ours: ${ours})`);
    }
    this.emitter.emit('event', event);
  }

  private outage(err: Error): void {
    this.reconcile = true;
    this.reachableSince = undefined;
    if (this.degraded || this.closed) return;
    this.degraded = true;
    this.log.warn({ err: err.message }, 'cluster store (Redis) unreachable: live streams continue; new publishes are accepted locally and claimed when it is back');
  }

  private leaseKey(path: string): string {
    return `${this.prefix}lease:${path}`;
  }

  private fenceKey(): string {
    return `${this.prefix}fence`;
  }
}

/** The pub/sub channel of the messages to node `nodeId` (NodeMail). */
function mailboxOf(prefix: string, nodeId: string): string {
  return `${prefix}node-mail:${nodeId}`;
}
