import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../support/onair.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { ffmpegPublish } from '../support/clients.js';
import type { Proc } from '../support/proc.js';
import { runCli } from '../../src/cli/onair-cli.js';
import { TEST_API_TOKEN } from '../../support/onair.js';
import { clusterNode, publisherId, spawnNode, until } from './support.js';

let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let db: string;
let b: TestServer;
const publishers: Proc[] = [];

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  db = await freshPostgresDatabase(pg.url);
  b = await clusterNode('b', db, redis.url, { auth: 'open', takeover: 'reject' });
});
after(async () => {
  for (const p of publishers) await p.kill('SIGKILL');
  await b?.close();
  await redis.stop();
  await pg.stop();
});

/** Publishes `name` to node B again and again (each refused attempt exits) until B has the publisher. */
async function republishOnB(name: string): Promise<{ refused: number }> {
  let refused = 0;
  await until(async () => {
    if (publisherId(b, `live/${name}`) !== undefined) return true;
    const p = await ffmpegPublish(b.rtmpUrl(name));
    publishers.push(p);
    const outcome = await Promise.race([p.exited.then(() => 'exited'), until(() => publisherId(b, `live/${name}`) !== undefined, 'publish', 3000).then(() => 'live', () => 'slow')]);
    if (outcome === 'exited') refused++;
    return outcome === 'live';
  }, `a publish of ${name} to land on B`, 30_000);
  return { refused };
}

test('owner killed with SIGKILL: its lease expires and the encoder\'s republish lands on another node', async () => {
  const c = await spawnNode('c', db, redis.url, { takeover: 'reject' });
  const enc = await ffmpegPublish(c.rtmpUrl('fo'));
  publishers.push(enc);
  await until(async () => (await b.cluster.coordinator.locate('live/fo'))?.nodeId === 'c', 'C to own live/fo');
  await c.proc.kill('SIGKILL');
  await enc.exited; // the encoder loses its connection with the node
  const { refused } = await republishOnB('fo');
  assert.equal(publisherId(b, 'live/fo') !== undefined, true);
  assert.equal(await b.cluster.coordinator.locate('live/fo'), undefined, 'B owns it now');
  assert.ok(!(await b.cluster.coordinator.nodes()).some((n) => n.nodeId === 'c'), 'the dead node left the registry');
  // Before expiry the republish is refused (the dead owner's lease still stands), unless expiry beat the first try.
  if (refused > 0) assert.ok(b.logs.some((l) => l.includes('publish refused: the stream is live on another node')));
});

test('onair drain: the node refuses new publishers, shows draining, closes its publisher (which moves to B) and exits', async () => {
  const d = await spawnNode('d', db, redis.url, { takeover: 'reject' });
  const enc = await ffmpegPublish(d.rtmpUrl('moving'));
  publishers.push(enc);
  await until(async () => (await b.cluster.coordinator.locate('live/moving'))?.nodeId === 'd', 'D to own live/moving');
  const out: string[] = [];
  const code = await runCli(['drain'], { out: (l) => out.push(l), err: (l) => out.push(l), env: { ONAIR_API_URL: d.apiUrl, ONAIR_API_TOKEN: TEST_API_TOKEN } });
  assert.equal(code, 0, out.join('\n'));
  assert.match(out.join('\n'), /draining d: 1 publisher\(s\) closed/);
  await enc.exited;
  assert.equal(await d.proc.exited, 0, 'the drained node exits cleanly');
  assert.match(d.proc.stdout(), /drained: no publisher left/);
  // The lease was released at the close: the encoder's reconnect lands on B at once, without waiting for an expiry.
  const { refused } = await republishOnB('moving');
  assert.equal(refused, 0);
});

test('a draining node refuses new publishers and says so in the registry', async () => {
  const e = await clusterNode('e', db, redis.url, { auth: 'open', takeover: 'reject' });
  try {
    const hold = await ffmpegPublish(e.rtmpUrl('keep'));
    publishers.push(hold);
    await until(() => publisherId(e, 'live/keep') !== undefined, 'E to publish live/keep');
    const res = await fetch(e.httpUrl('/api/v1/admin/drain'), { method: 'POST', headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { nodeId: 'e', draining: true, publishers: 1 });
    await e.cluster.drained;
    await hold.exited;
    assert.equal((await b.cluster.coordinator.nodes()).find((n) => n.nodeId === 'e')?.draining, true);
    const late = await ffmpegPublish(e.rtmpUrl('late'));
    publishers.push(late);
    assert.notEqual(await late.exited, 0, 'a new publisher is refused');
    assert.equal(publisherId(e, 'live/late'), undefined);
    assert.ok(e.logs.some((l) => l.includes('this node is draining')));
    const cluster = await (await fetch(e.httpUrl('/api/v1/cluster'), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json() as { draining: boolean; leases: number };
    assert.equal(cluster.draining, true);
    assert.equal(cluster.leases, 0);
  } finally {
    await e.close();
  }
});
