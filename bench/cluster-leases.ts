/**
 * The cost of the cluster control plane on Redis: how long a publish waits for its lease claim, how long an
 * edge waits for `locate`, and how much Redis CPU the heartbeats of many held leases take.
 *
 *   npx tsx bench/cluster-leases.ts [--leases 1000,5000] [--nodes 3] [--lease-ms 10000] [--seconds 10]
 *
 * Starts a throwaway redis-server (Debian's `redis-server`), then: 2000 sequential claim + release pairs and
 * 2000 `locate` calls from one coordinator (p50/p95/max in ms), then for each `--leases` level spreads that many
 * held leases over `--nodes` coordinators in this process and reads Redis's own CPU (INFO cpu) over `--seconds`
 * of heartbeats. No peer to compare with (nginx-rtmp and SRS keep no such state in Redis). Figures on a shared
 * machine are indicative only.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createLogger } from '../src/core/logger.js';
import { RedisCoordinator } from '../src/services/cluster/redis-coordinator.js';
import { startTestRedis } from '../support/redis-server.js';

const { values: args } = parseArgs({
  options: {
    leases: { type: 'string', default: '1000,5000' },
    nodes: { type: 'string', default: '3' },
    'lease-ms': { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
  },
});
const leaseMs = Number(args['lease-ms']);
const log = createLogger('silent');
const redis = await startTestRedis();
const admin = new Redis(redis.url);

const node = async (id: string) => {
  const c = new RedisCoordinator({ url: redis.url, nodeId: id, leaseMs, log });
  await c.start({ rtmpUrl: `rtmp://10.0.0.1:1935/${id}`, httpUrl: 'http://10.0.0.1:8080' });
  return c;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const summary = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(3)} ms  p95 ${pct(xs, 0.95).toFixed(3)} ms  max ${Math.max(...xs).toFixed(3)} ms`;
const redisCpu = async () => {
  const info = await admin.info('cpu');
  const get = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return get('used_cpu_sys') + get('used_cpu_user');
};

try {
  const a = await node('bench-a');
  const b = await node('bench-b');
  const claims: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await a.claim(`live/c${i}`, { force: false });
    await a.release(`live/c${i}`);
    claims.push(performance.now() - t);
  }
  await a.claim('live/located', { force: false });
  const locates: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await b.locate('live/located');
    locates.push(performance.now() - t);
  }
  console.log(`claim + release (sequential, 2000):  ${summary(claims)}`);
  console.log(`locate from another node (2000):     ${summary(locates)}`);
  await Promise.all([a.close(), b.close()]);

  for (const total of args.leases.split(',').map(Number)) {
    const nodes = await Promise.all(Array.from({ length: Number(args.nodes) }, (_, i) => node(`n${total}-${i}`)));
    await Promise.all(nodes.map(async (n, i) => {
      for (let k = i; k < total; k += nodes.length) await n.claim(`live/s${k}`, { force: false });
    }));
    const cpu0 = await redisCpu();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, Number(args.seconds) * 1000));
    const cpu = (await redisCpu()) - cpu0;
    const held = nodes.reduce((s, n) => s + n.held().size, 0);
    console.log(`${total} leases on ${nodes.length} nodes, lease ${leaseMs} ms: held ${held}, Redis CPU ${(100 * cpu / ((performance.now() - t0) / 1000)).toFixed(2)} % of a core`);
    await Promise.all(nodes.map((n) => n.close()));
  }
} finally {
  admin.disconnect();
  await redis.stop();
}
