import type { Redis } from 'ioredis';
import type { NodeRecord } from './cluster-types.js';
import { randomBytes } from 'node:crypto';
import { LOST_MARK_MS, livenessKeys, seenValue } from './redis-liveness.js';

const newRun = (): string => randomBytes(6).toString('base64url');

/**
 * The node registry in Redis: one hash per node that expires unless heartbeats renew it, plus a set of ids
 * for listing (an id whose hash has expired is dropped from the set when seen).
 */
export class NodeRegistry {
  private self: NodeRecord | undefined;
  /** Sessions are stored with it; a new one once this node finds itself declared lost (the sweep ended the old run's). */
  private currentRun = newRun();

  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly ttlMs: number) {}

  describe(self: NodeRecord): void {
    this.self = self;
  }

  run(): string {
    return this.currentRun;
  }

  setDraining(draining: boolean): void {
    if (this.self) this.self = { ...this.self, draining };
  }

  /**
   * Writes this node's record with a fresh expiry, and its last-seen time (kept after the record expires: a
   * survivor ends a dead node's sessions at it). True when another node had declared this one lost meanwhile.
   */
  async heartbeat(): Promise<boolean> {
    const s = this.self;
    if (!s) return false;
    const key = this.key(s.nodeId);
    const keys = livenessKeys(this.prefix);
    const replies = await this.redis.multi()
      .hset(key, { nodeId: s.nodeId, rtmpUrl: s.rtmpUrl, httpUrl: s.httpUrl, draining: s.draining ? '1' : '0', startedAt: s.startedAt })
      .pexpire(key, this.ttlMs)
      .sadd(this.setKey(), s.nodeId)
      .set(keys.seen(s.nodeId), seenValue(this.currentRun), 'PX', LOST_MARK_MS)
      .getdel(keys.lost(s.nodeId))
      .exec();
    const lost = replies?.[4];
    if (!lost || lost[0]) throw lost?.[0] ?? new Error('no reply to the heartbeat');
    if (lost[1] === null) return false;
    this.currentRun = newRun();
    await this.redis.set(keys.seen(s.nodeId), seenValue(this.currentRun), 'PX', LOST_MARK_MS);
    return true;
  }

  async get(nodeId: string): Promise<NodeRecord | undefined> {
    return toRecord(await this.redis.hgetall(this.key(nodeId)));
  }

  async list(): Promise<NodeRecord[]> {
    const ids = await this.redis.smembers(this.setKey());
    const out: NodeRecord[] = [];
    for (const id of ids.sort()) {
      const rec = await this.get(id);
      if (rec) out.push(rec);
      else await this.redis.srem(this.setKey(), id);
    }
    return out;
  }

  async remove(): Promise<void> {
    if (!this.self) return;
    await this.redis.multi().del(this.key(this.self.nodeId)).srem(this.setKey(), this.self.nodeId).exec();
  }

  private key(nodeId: string): string {
    return `${this.prefix}node:${nodeId}`;
  }

  private setKey(): string {
    return `${this.prefix}nodes`;
  }
}

function toRecord(h: Record<string, string>): NodeRecord | undefined {
  if (!h.nodeId) return undefined;
  return { nodeId: h.nodeId, rtmpUrl: h.rtmpUrl ?? '', httpUrl: h.httpUrl ?? '', draining: h.draining === '1', startedAt: h.startedAt ?? '' };
}
