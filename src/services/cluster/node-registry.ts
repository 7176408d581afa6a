import type { Redis } from 'ioredis';
import type { NodeRecord } from './cluster-types.js';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { OnAirError } from '../../core/errors.js';
import { LOST_MARK_MS, livenessKeys, seenValue } from './redis-liveness.js';

const newRun = (): string => randomBytes(6).toString('base64url');

/**
 * KEYS: id claim. ARGV: instance, ttl (ms). Takes or renews the claim when it is free or this instance's: nil.
 * Held by another instance: its remaining life (ms), which goes down unless that instance is alive and renewing it.
 */
const HOLD_ID = `
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return false end
return redis.call('PTTL', KEYS[1])
`;

/** KEYS: id claim, node record, node set. ARGV: instance, node id. Leaves everything alone if another instance holds the id. */
const REMOVE = `
local cur = redis.call('GET', KEYS[1])
if cur ~= false and cur ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[2])
return 1
`;

/** What a heartbeat found: all well, another node declared this one lost, or another process is using this node id. */
export type HeartbeatFinding = 'ok' | 'declared-lost' | 'id-in-use';

/**
 * The node registry in Redis: one hash per node that expires unless heartbeats renew it, plus a set of ids
 * for listing (an id whose hash has expired is dropped from the set when seen). A node id belongs to one running
 * process: a claim key holding that process's instance token, renewed with each heartbeat (`reserve` at start).
 */
export class NodeRegistry {
  private self: NodeRecord | undefined;
  /** Sessions are stored with it; a new one once this node finds itself declared lost (the sweep ended the old run's). */
  private currentRun = newRun();

  /** `instance`: this process's token for its node id (a restarted `--workers` worker keeps its slot's). */
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly ttlMs: number, private readonly instance: string) {}

  /**
   * Takes this node id before the node acts under it (start-up repair ends the open sessions of its id). Held by
   * another instance: either a dead one (a crash or kill -9 of this node's previous run: its claim runs out within
   * one heartbeat lifetime, and this waits for that) or a live one, which renews it every third of it: then the
   * id is another running node's and this throws ONAIR_ERR_CONFIG. Store errors are thrown as they are.
   */
  async reserve(nodeId: string): Promise<void> {
    const step = Math.max(20, Math.floor(this.ttlMs / 6));
    const deadline = Date.now() + 2 * this.ttlMs + step;
    let last: number | undefined;
    for (;;) {
      const left = await this.redis.eval(HOLD_ID, 1, this.idKey(nodeId), this.instance, this.ttlMs) as number | null;
      if (left === null) return;
      // A live holder renews it: its remaining life goes up again (a key without expiry: -1, someone else's doing).
      if ((last !== undefined && left > last) || left === -1 || Date.now() > deadline) throw idInUse(nodeId);
      last = left;
      await sleep(step);
    }
  }

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
   * survivor ends a dead node's sessions at it), and renews this process's claim on its node id (taken again if the
   * store lost it). Says whether another node had declared this one lost meanwhile, or another process holds the id
   * (this node was cut off longer than a heartbeat lifetime and a second process started under its id).
   */
  async heartbeat(): Promise<HeartbeatFinding> {
    const s = this.self;
    if (!s) return 'ok';
    const key = this.key(s.nodeId);
    const keys = livenessKeys(this.prefix);
    const replies = await this.redis.multi()
      .eval(HOLD_ID, 1, this.idKey(s.nodeId), this.instance, this.ttlMs)
      .hset(key, { nodeId: s.nodeId, rtmpUrl: s.rtmpUrl, httpUrl: s.httpUrl, draining: s.draining ? '1' : '0', startedAt: s.startedAt, ttlMs: this.ttlMs })
      .pexpire(key, this.ttlMs)
      .sadd(this.setKey(), s.nodeId)
      .set(keys.seen(s.nodeId), seenValue(this.currentRun), 'PX', LOST_MARK_MS)
      .getdel(keys.lost(s.nodeId))
      .exec();
    const [claim, lost] = [replies?.[0], replies?.[5]];
    if (!lost || lost[0] || !claim || claim[0]) throw lost?.[0] ?? claim?.[0] ?? new Error('no reply to the heartbeat');
    if (claim[1] !== null) return 'id-in-use';
    if (lost[1] === null) return 'ok';
    this.currentRun = newRun();
    await this.redis.set(keys.seen(s.nodeId), seenValue(this.currentRun), 'PX', LOST_MARK_MS);
    return 'declared-lost';
  }

  async get(nodeId: string): Promise<NodeRecord | undefined> {
    return toRecord(await this.redis.hgetall(this.key(nodeId)));
  }

  /**
   * True when the registry shows `nodeId` gone: no record (expired or removed), or its heartbeat overdue. A live node
   * renews its record's lifetime every third of it, so one with less than half of it left has missed a heartbeat
   * (dead, or cut off from the store); the lifetime is the node's own (written with its record), not this node's.
   */
  async heartbeatOverdue(nodeId: string): Promise<boolean> {
    const key = this.key(nodeId);
    const replies = await this.redis.multi().hget(key, 'ttlMs').pttl(key).exec();
    const [ttl, left] = [replies?.[0], replies?.[1]];
    if (!ttl || ttl[0] || !left || left[0]) throw ttl?.[0] ?? left?.[0] ?? new Error('no reply to the registry read');
    const remaining = left[1] as number;
    if (remaining === -2) return true; // no record
    if (remaining < 0) return false; // a record without expiry: not one a heartbeat wrote
    return remaining < (Number(ttl[1]) || this.ttlMs) / 2;
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

  /** Deregisters this node and frees its id, unless another process holds the id (its record is not ours to delete). */
  async remove(): Promise<void> {
    if (!this.self) return;
    const id = this.self.nodeId;
    await this.redis.eval(REMOVE, 3, this.idKey(id), this.key(id), this.setKey(), this.instance, id);
  }

  private idKey(nodeId: string): string {
    return `${this.prefix}node-id:${nodeId}`;
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

function idInUse(nodeId: string): OnAirError {
  return new OnAirError('ONAIR_ERR_CONFIG', `node id ${nodeId} is in use by another running OnAir process in this cluster (its claim in Redis is being renewed): give every machine its own --node-id (with --workers N, worker k is the node <node-id>-w<k>, so no other machine may use those ids either)`);
}
