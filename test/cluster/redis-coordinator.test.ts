import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/core/logger.js';
import { RedisCoordinator } from '../../src/services/cluster/redis-coordinator.js';
import { HlsContinuity } from '../../src/services/cluster/hls-continuity.js';
import type { ClusterEvent, LeaseLoss } from '../../src/services/cluster/cluster-types.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { run, waitFor } from '../support/proc.js';

const LEASE_MS = 600;
let redis: TestRedis;
const open: RedisCoordinator[] = [];
const log = createLogger('silent');
/** waitFor with the check first, as in ./support.ts (not imported: it loads the whole server). */
const until = (check: () => boolean | Promise<boolean>, what: string) => waitFor(what, check);

before(async () => (redis = await startTestRedis()));
after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await redis.stop();
});

async function node(nodeId: string, prefix: string): Promise<RedisCoordinator> {
  const c = new RedisCoordinator({ url: redis.url, nodeId, leaseMs: LEASE_MS, prefix, log });
  open.push(c);
  await c.start({ rtmpUrl: `rtmp://127.0.0.1:1/${nodeId}`, httpUrl: `http://127.0.0.1:1/${nodeId}` });
  return c;
}

test('two nodes claim one stream: the second is refused, a forced claim fences the first with a higher token', async () => {
  const a = await node('a', 't1:');
  const b = await node('b', 't1:');
  const lostA: LeaseLoss[] = [];
  a.onLeaseLost((l) => lostA.push(l));
  const first = await a.claim('live/x', { force: false });
  assert.ok(first.ok && !first.degraded);
  assert.deepEqual(await b.claim('live/x', { force: false }), { ok: false, owner: 'a', token: first.token });
  assert.deepEqual(await b.locate('live/x'), { nodeId: 'a', rtmpUrl: 'rtmp://127.0.0.1:1/a', httpUrl: 'http://127.0.0.1:1/a' });
  assert.equal(await a.locate('live/x'), undefined, 'the owner itself locates nothing');
  assert.equal(await a.claim('live/x', { force: false }).then((r) => r.ok && r.token), first.token, 're-claim keeps the token');
  const taken = await b.claim('live/x', { force: true });
  assert.ok(taken.ok && taken.token > first.token);
  await until(() => lostA.length > 0, 'a to lose its lease');
  assert.equal(lostA[0]!.path, 'live/x');
  assert.match(lostA[0]!.reason, /claimed by node b with fencing token/);
  assert.equal(a.held().has('live/x'), false);
  // The fenced node's release must not delete the new owner's lease.
  await a.release('live/x');
  assert.deepEqual(await a.locate('live/x'), { nodeId: 'b', rtmpUrl: 'rtmp://127.0.0.1:1/b', httpUrl: 'http://127.0.0.1:1/b' });
  await b.release('live/x');
  assert.equal(await a.locate('live/x'), undefined);
});

test('a node killed with SIGKILL: its lease and registry entry expire, then another node claims', async () => {
  const b = await node('b2', 't2:');
  const script = fileURLToPath(new URL('./fixtures/claim-and-hang.ts', import.meta.url));
  const child = run(process.execPath, ['--import', 'tsx', script, redis.url, 't2:', 'a2', 'live/k', String(LEASE_MS)], { timeoutMs: 30_000 });
  await until(() => child.stdout().includes('claimed'), 'the child node to claim');
  assert.deepEqual((await b.nodes()).map((n) => n.nodeId), ['a2', 'b2']);
  assert.equal((await b.claim('live/k', { force: false })).ok, false);
  await child.kill('SIGKILL');
  await until(async () => (await b.claim('live/k', { force: false })).ok, 'the dead node\'s lease to expire');
  assert.deepEqual((await b.nodes()).map((n) => n.nodeId), ['b2'], 'the dead node left the registry');
});

test('a node killed with SIGKILL shows as gone in the registry (heartbeat overdue) while its lease still names it owner', async () => {
  const b = await node('b3', 't3:');
  const script = fileURLToPath(new URL('./fixtures/claim-and-hang.ts', import.meta.url));
  // A long lease (as by default): the window between death and expiry is what edges must answer in.
  const child = run(process.execPath, ['--import', 'tsx', script, redis.url, 't3:', 'a3', 'live/g', '6000'], { timeoutMs: 30_000 });
  await until(() => child.stdout().includes('claimed'), 'the child node to claim');
  assert.equal(await b.ownerGone('a3'), false, 'alive and renewing');
  assert.equal(await b.ownerGone('b3'), false);
  assert.equal(await b.ownerGone('never-was'), true, 'no record');
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await b.ownerGone('a3'), false, 'a live node never looks gone between its heartbeats');
  }
  await child.kill('SIGKILL');
  await until(() => b.ownerGone('a3'), 'the dead node\'s heartbeat to be overdue');
  assert.equal((await b.locate('live/g'))?.nodeId, 'a3', 'its lease and record still live: the locator still names it');
});

test('Redis restarted: leases are kept by their holders, the registry recovers, no publisher is kicked', async () => {
  const a = await node('a3', 't3:');
  const b = await node('b3', 't3:');
  const lost: LeaseLoss[] = [];
  a.onLeaseLost((l) => lost.push(l));
  b.onLeaseLost((l) => lost.push(l));
  assert.ok((await a.claim('live/r', { force: false })).ok);
  await redis.restart();
  // While the store is empty and before the holders are back, the degraded policy accepts local claims.
  await until(async () => (await b.nodes().catch(() => [])).length === 2, 'both nodes to re-register');
  await until(async () => (await b.locate('live/r'))?.nodeId === 'a3', 'a3 to re-claim its lease');
  assert.equal((await b.claim('live/r', { force: false })).ok, false);
  assert.deepEqual(lost, []);
});

test('claims accepted by two nodes while Redis is down: once it is back exactly one keeps the stream', async () => {
  const a = await node('a4', 't4:');
  const b = await node('b4', 't4:');
  const lost: string[] = [];
  a.onLeaseLost(() => lost.push('a4'));
  b.onLeaseLost(() => lost.push('b4'));
  await redis.kill();
  const ra = await a.claim('live/split', { force: false });
  const rb = await b.claim('live/split', { force: false });
  assert.ok(ra.ok && ra.degraded && rb.ok && rb.degraded, 'both accepted locally while the store is down');
  await redis.restart();
  await until(() => lost.length === 1, 'one of the two to lose the stream');
  await new Promise((r) => setTimeout(r, LEASE_MS));
  assert.equal(lost.length, 1);
  const winner = lost[0] === 'a4' ? b : a;
  assert.equal(winner.held().has('live/split'), true);
});

test('a holder whose renewal came late (its event loop stalled past the lease), with nobody else claiming meanwhile: claimed again under a new token, not lost', async () => {
  const a = await node('a7', 't-late:');
  const b = await node('b7', 't-late:');
  const lost: LeaseLoss[] = [];
  a.onLeaseLost((l) => lost.push(l));
  const first = await a.claim('live/late', { force: false });
  assert.ok(first.ok);
  // This process (both nodes) stalls 2.5 leases: Redis expires the lease meanwhile, and nobody claims it.
  const end = Date.now() + LEASE_MS * 2.5;
  while (Date.now() < end) { /* a GC pause or a starved CPU */ }
  await until(() => (a.held().get('live/late') ?? 0) > first.token, 'a to claim its expired lease again');
  assert.equal(lost.length, 0, `the holder keeps the stream (its publisher is not kicked): ${JSON.stringify(lost)}`);
  assert.equal((await b.locate('live/late'))?.nodeId, 'a7');
  assert.equal((await b.claim('live/late', { force: false })).ok, false, 'another node is refused as before');
  // And one claimed by another node meanwhile is still lost: fencing is unchanged.
  await a.release('live/late');
  const c = await a.claim('live/late2', { force: false });
  assert.ok(c.ok);
  const taken = await b.claim('live/late2', { force: true });
  assert.ok(taken.ok);
  await until(() => lost.some((l) => l.path === 'live/late2'), 'a to lose the stream b claimed');
  await b.release('live/late2');
});

test('a broadcast event reaches every subscribed node exactly once', async () => {
  const a = await node('a5', 't5:');
  const b = await node('b5', 't5:');
  const seen: Record<string, ClusterEvent[]> = { a5: [], b5: [] };
  a.onEvent((e) => e.type === 'stream.event' && seen.a5!.push(e));
  b.onEvent((e) => e.type === 'stream.event' && seen.b5!.push(e));
  await a.broadcast({ type: 'stream.event', nodeId: 'a5', event: 'stream.active', streamId: 'str_1' });
  await until(() => seen.a5!.length === 1 && seen.b5!.length === 1, 'both nodes to receive it');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(seen.a5!.length, 1);
  assert.equal(seen.b5!.length, 1);
  // A garbage message on the channel is ignored, not fatal.
  const raw = new Redis(redis.url);
  await raw.publish('t5:events', 'not json');
  await raw.quit();
});

test('a node started while Redis is down runs degraded, then registers and claims once Redis is up', async () => {
  await redis.kill();
  const a = await node('a6', 't6:');
  const claimed = await a.claim('live/early', { force: false });
  assert.ok(claimed.ok && claimed.degraded);
  await redis.restart();
  const b = await node('b6', 't6:');
  await until(async () => (await b.nodes()).some((n) => n.nodeId === 'a6'), 'a6 to register');
  await until(async () => (await b.locate('live/early'))?.nodeId === 'a6', 'a6 to claim the stream it accepted');
});

test('a node id is one running process\'s: refused at start while its holder renews it, taken once a dead run\'s claim runs out or by the same slot', async () => {
  const holder = await node('dup', 't7:');
  const second = new RedisCoordinator({ url: redis.url, nodeId: 'dup', leaseMs: LEASE_MS, prefix: 't7:', log });
  open.push(second);
  await assert.rejects(second.reserveId(), (err: Error) => /node id dup is in use by another running OnAir process/.test(err.message) && /--node-id/.test(err.message));
  await second.close(); // never started: removes nothing of the holder's
  assert.deepEqual((await holder.nodes()).map((n) => n.nodeId), ['dup'], 'the holder keeps its registry entry');

  const raw = new Redis(redis.url);
  try {
    // A previous run killed with SIGKILL left its claim: it runs out within a lease and the new run takes it.
    await raw.set('t7:node-id:gone', 'dead-run', 'PX', LEASE_MS);
    const next = new RedisCoordinator({ url: redis.url, nodeId: 'gone', leaseMs: LEASE_MS, prefix: 't7:', log });
    open.push(next);
    await next.reserveId();
    assert.notEqual(await raw.get('t7:node-id:gone'), 'dead-run');
    // A restarted worker brings its slot's instance: its predecessor's claim (long-lived here) is its own.
    await raw.set('t7:node-id:slot-w1', 'slot-token', 'PX', 60_000);
    const restarted = new RedisCoordinator({ url: redis.url, nodeId: 'slot-w1', leaseMs: LEASE_MS, prefix: 't7:', log, instance: 'slot-token' });
    open.push(restarted);
    await restarted.reserveId();
    assert.equal(await raw.pttl('t7:node-id:slot-w1') <= LEASE_MS, true, 'renewed with this process\'s lifetime');
  } finally {
    await raw.quit();
  }
});

test('a running node whose id another process has claimed (it was cut off past its lease meanwhile) says so at its next heartbeat', async () => {
  const lines: string[] = [];
  const logged = createLogger('info', { write: (l: string) => void lines.push(l) });
  const c = new RedisCoordinator({ url: redis.url, nodeId: 'twice', leaseMs: LEASE_MS, prefix: 't8:', log: logged });
  open.push(c);
  await c.reserveId();
  await c.start({ rtmpUrl: 'rtmp://127.0.0.1:1/twice', httpUrl: 'http://127.0.0.1:1/twice' });
  const raw = new Redis(redis.url);
  try {
    await raw.set('t8:node-id:twice', 'another-process', 'PX', 60_000);
    await until(() => lines.some((l) => l.includes('another OnAir process holds this node id')), 'the heartbeat to report the clash');
    await new Promise((r) => setTimeout(r, 3 * LEASE_MS)); // several more heartbeats
    assert.equal(lines.filter((l) => l.includes('another OnAir process holds this node id')).length, 1, 'once per streak');
    await c.close();
    assert.equal(await raw.get('t8:node-id:twice'), 'another-process', 'closing leaves the other process\'s claim');
    assert.equal(await raw.exists('t8:node:twice'), 1, 'and the registry entry it renews');
  } finally {
    await raw.quit();
  }
});

test('HLS playlist positions: written by the owner only, read once by the next node, with a lifetime; ENDLIST deletes only its own', async () => {
  const a = await node('a', 't-hls:');
  const b = await node('b', 't-hls:');
  const onA = new HlsContinuity(a.notes, (path) => a.held().has(path), log);
  const onB = new HlsContinuity(b.notes, (path) => b.held().has(path), log);
  const direct = new Redis(redis.url);
  try {
    assert.ok((await a.claim('live/h', { force: false })).ok);
    const position = { msn: 41, discontinuity: 2, endPdt: 1_700_000_041_000, trackEnds: [{ trackId: 1, timescale: 90_000, dts: 3_690_000 }, { trackId: 2, timescale: 48_000, dts: 1_968_128 }] };
    onA.record('live/h', 'insta', position, 5000);
    onB.record('live/h', 'instb', { msn: 1, discontinuity: 0, endPdt: 1 }, 5000); // B owns nothing: not written
    await until(async () => (await direct.get('t-hls:hls:live/h')) !== null, 'the position in Redis');
    assert.equal(await direct.get('t-hls:hls:live/h'), 'insta 41 2 1700000041000 1:90000:3690000 2:48000:1968128');
    const ttl = await direct.pttl('t-hls:hls:live/h');
    assert.ok(ttl > 0 && ttl <= 5000, `lifetime ${ttl}`);

    await onB.prefetch('live/h');
    assert.deepEqual(onB.take('live/h'), position);
    assert.equal(onB.take('live/h'), undefined, 'taken once');
    await onB.prefetch('live/other');
    assert.equal(onB.take('live/other'), undefined, 'no position: start afresh');
    await direct.set('t-hls:hls:live/junk', 'insta 1 2 3; DROP');
    await onB.prefetch('live/junk');
    assert.equal(onB.take('live/junk'), undefined, 'a malformed value is no position');

    // ENDLIST of another instance (a stale packager elsewhere) leaves the owner's position; its own deletes it.
    onB.ended('live/h', 'instb');
    onA.ended('live/h', 'insta');
    await until(async () => (await direct.get('t-hls:hls:live/h')) === null, 'the position deleted at ENDLIST');
    onA.record('live/h', 'insta2', position, 5000);
    onB.ended('live/h', 'insta'); // a prefix of insta2's value, but not its instance
    await until(async () => (await direct.get('t-hls:hls:live/h')) !== null, 'the new position');
    await b.notes.get('hls', 'live/h'); // after B's delete ran (one connection, in order)
    assert.equal(await direct.get('t-hls:hls:live/h'), 'insta2 41 2 1700000041000 1:90000:3690000 2:48000:1968128');
  } finally {
    direct.disconnect();
  }
});

test('mail to a node reaches that node only (its own channel), not the events of the cluster', async () => {
  const [a, b, c] = await Promise.all([node('ma', 'tm:'), node('mb', 'tm:'), node('mc', 'tm:')]);
  const got: Record<string, string[]> = { a: [], b: [], c: [] };
  a.mail.onMail((m) => got.a!.push(m));
  b.mail.onMail((m) => got.b!.push(m));
  c.mail.onMail((m) => got.c!.push(m));
  const events: ClusterEvent[] = [];
  c.onEvent((e) => events.push(e));
  // Subscriptions are made on connect: a message before it is lost (pub/sub keeps nothing), so the sender repeats.
  await until(async () => {
    await a.mail.send('mb', 'to b');
    return got.b!.length > 0;
  }, 'b to get its mail');
  await c.mail.send('ma', 'to a');
  await until(() => got.a!.includes('to a'), 'a to get its mail');
  assert.ok(got.b!.every((m) => m === 'to b'));
  assert.deepEqual(got.c, [], 'c was sent nothing');
  // (The nodes' own node.up announcements may arrive after c listens.)
  assert.deepEqual(events.filter((e) => e.type !== 'node.up'), [], 'mail is no cluster event');
  await a.mail.send('nobody', 'lost'); // nobody listening: sent all the same
});
