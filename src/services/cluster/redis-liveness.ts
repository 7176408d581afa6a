import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NodeLiveness } from './cluster-types.js';

/** How long a "declared lost" mark waits for its node to come back and read it (a longer absence: it restarted anyway). */
export const LOST_MARK_MS = 24 * 3600_000;

/** KEYS: node record, lost mark, last-seen. ARGV: now (ms), mark ttl (ms). Nil when the node is registered again. */
const MARK_LOST = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return redis.call('GET', KEYS[3]) or ''
`;

/** KEYS: lock. ARGV: token. */
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Last-seen as the heartbeat writes it: `<epoch ms> <run>`. */
export const seenValue = (run: string): string => `${Date.now()} ${run}`;

/** Key names shared with the registry's heartbeat (node-registry.ts writes last-seen and reads the lost mark). */
export const livenessKeys = (prefix: string) => ({
  node: (id: string) => `${prefix}node:${id}`,
  lost: (id: string) => `${prefix}lost:${id}`,
  seen: (id: string) => `${prefix}seen:${id}`,
  lease: (path: string) => `${prefix}lease:${path}`,
  sweepLock: `${prefix}sweep-lock`,
});

/** NodeLiveness over the coordinator's Redis connection (commands fail fast while it is down). */
export class RedisLiveness implements NodeLiveness {
  private readonly keys: ReturnType<typeof livenessKeys>;

  constructor(
    private readonly redis: Redis, prefix: string, readonly nodeId: string, readonly steadyMs: () => number, readonly run: () => string,
  ) {
    this.keys = livenessKeys(prefix);
  }

  async aliveAmong(nodeIds: readonly string[]): Promise<Set<string>> {
    if (nodeIds.length === 0) return new Set();
    const pipe = this.redis.pipeline();
    for (const id of nodeIds) pipe.exists(this.keys.node(id));
    const replies = (await pipe.exec()) ?? [];
    const alive = new Set<string>();
    nodeIds.forEach((id, i) => {
      const [err, n] = replies[i] ?? [new Error('no reply'), 0];
      if (err) throw err;
      if (n === 1) alive.add(id);
    });
    return alive;
  }

  async lockSweep(ms: number): Promise<string | undefined> {
    const token = randomUUID();
    return (await this.redis.set(this.keys.sweepLock, token, 'PX', ms, 'NX')) === 'OK' ? token : undefined;
  }

  async unlockSweep(token: string): Promise<void> {
    await this.redis.eval(UNLOCK, 1, this.keys.sweepLock, token);
  }

  async markLost(nodeId: string): Promise<{ lastSeenMs: number | null; run: string | null } | undefined> {
    const k = this.keys;
    const seen = await this.redis.eval(MARK_LOST, 3, k.node(nodeId), k.lost(nodeId), k.seen(nodeId), Date.now(), LOST_MARK_MS) as string | null;
    if (seen === null) return undefined;
    const [at, run] = seen.split(' ');
    const ms = Number(at);
    return { lastSeenMs: at && Number.isFinite(ms) ? ms : null, run: run || null };
  }

  async leaseHeld(path: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.lease(path))) === 1;
  }
}
