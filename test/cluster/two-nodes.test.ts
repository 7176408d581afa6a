import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../support/onair.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { webhookReceiver } from '../support/webhook-receiver.js';
import { serverApi, type ApiStream } from '../support/stream-api.js';
import { ffmpegPublish } from '../support/clients.js';
import type { ClusterEvent } from '../../src/services/cluster/index.js';
import { clusterNode, publisherId, until } from './support.js';

let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
const servers: TestServer[] = [];

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
});
after(async () => {
  for (const s of servers) await s.close().catch(() => {});
  await redis.stop();
  await pg.stop();
});

/** Two nodes on a fresh database, closed when the test ends (the next test's nodes share Redis, not a database). */
async function pair(t: TestContext, flags: Record<string, string | number>): Promise<[TestServer, TestServer]> {
  const db = await freshPostgresDatabase(pg.url);
  const tag = Math.random().toString(36).slice(2, 6);
  // One after the other: the second must see the first in the registry (it then leaves start-up repair alone).
  const a = await clusterNode(`a-${tag}`, db, redis.url, flags);
  servers.push(a);
  const b = await clusterNode(`b-${tag}`, db, redis.url, flags);
  servers.push(b);
  t.after(async () => {
    await Promise.all([a.close(), b.close()]);
    servers.splice(0, servers.length);
  });
  return [a, b];
}

test('ffmpeg on node A: webhooks sent once cluster-wide, the event seen once by both nodes; a publish on B takes over and A kicks its publisher', async (t) => {
  const [a, b] = await pair(t, { auth: 'keys', 'webhook-allow-networks': '127.0.0.1/32' });
  const receiver = await webhookReceiver();
  try {
    assert.ok(b.logs.some((l) => l.includes('start-up session repair left to them')), 'the second node must not reset the first one\'s sessions');
    // Created on B, published on A: the database is shared.
    const stream = await serverApi(b, 'POST', '/streams', { settings: { reconnectWindowSec: 1 } }) as ApiStream;
    await serverApi(b, 'POST', '/webhooks', { url: receiver.url });
    const path = `live/${stream.playbackId}`;
    const seen: Record<string, ClusterEvent[]> = { a: [], b: [] };
    a.cluster.coordinator.onEvent((e) => e.type === 'stream.event' && seen.a!.push(e));
    b.cluster.coordinator.onEvent((e) => e.type === 'stream.event' && seen.b!.push(e));

    const first = await ffmpegPublish(a.rtmpUrl(stream.streamKey));
    await until(() => receiver.hooks.some((h) => h.type === 'stream.active'), 'stream.active webhook');
    assert.deepEqual(await b.cluster.coordinator.locate(path), { nodeId: a.cluster.coordinator.nodeId, rtmpUrl: `rtmp://127.0.0.1:${a.ports.rtmp}`, httpUrl: `http://127.0.0.1:${a.ports.http}` });
    assert.equal(await a.cluster.coordinator.locate(path), undefined, 'the owner locates nothing');
    // Both nodes poll the shared delivery queue: give the non-owner time to (wrongly) send a second copy.
    await new Promise((r) => setTimeout(r, 1500));
    const types = receiver.hooks.map((h) => h.type);
    assert.equal(types.filter((t) => t === 'stream.connected').length, 1, types.join());
    assert.equal(types.filter((t) => t === 'stream.active').length, 1, types.join());
    assert.equal(new Set(receiver.hooks.map((h) => h.body.id)).size, receiver.hooks.length, 'one delivery per event id');
    for (const node of ['a', 'b']) {
      assert.equal(seen[node]!.filter((e) => e.type === 'stream.event' && e.event === 'stream.active').length, 1, `${node} saw stream.active once`);
    }

    // The same key on node B: --takeover (auto = takeover with keys) claims with a higher token; A is fenced.
    const second = await ffmpegPublish(b.rtmpUrl(stream.streamKey));
    await until(() => publisherId(b, path) !== undefined && publisherId(a, path) === undefined, 'B to own the stream and A to drop its publisher');
    await until(() => first.child.exitCode !== null || first.child.signalCode !== null, 'A to close the first ffmpeg');
    assert.ok(a.logs.some((l) => l.includes('publisher kicked: this node lost the stream lease') && l.includes(`claimed by node ${b.cluster.coordinator.nodeId}`)));
    // A's session ended, but the stream lives on B: A's reconnect window (1 s) passing must not make it idle.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(receiver.hooks.filter((h) => h.type === 'stream.idle').length, 0, 'no stream.idle while live on B');
    assert.equal((await serverApi(a, 'GET', `/streams/${stream.id}`)).status, 'active');
    assert.deepEqual(await a.cluster.coordinator.locate(path), { nodeId: b.cluster.coordinator.nodeId, rtmpUrl: `rtmp://127.0.0.1:${b.ports.rtmp}`, httpUrl: `http://127.0.0.1:${b.ports.http}` });
    // A key reset made on A reaches the publisher on B.
    await serverApi(a, 'POST', `/streams/${stream.id}/reset-key`);
    await second.exited;
    await until(() => publisherId(b, path) === undefined, 'B to close the publisher of the old key');
    await until(() => a.cluster.coordinator.locate(path).then((o) => o === undefined), 'the lease to be released');
  } finally {
    await receiver.close();
  }
});

test('--takeover reject: a publish on B while the stream is live on A is refused', async (t) => {
  const [a, b] = await pair(t, { auth: 'open', takeover: 'reject' });
  const pubA = await ffmpegPublish(a.rtmpUrl('shared'));
  try {
    await until(() => publisherId(a, 'live/shared') !== undefined, 'A to publish');
    await until(async () => (await b.cluster.coordinator.locate('live/shared')) !== undefined, 'the lease to be visible');
    const pubB = await ffmpegPublish(b.rtmpUrl('shared'));
    assert.notEqual(await pubB.exited, 0, 'ffmpeg on B is refused');
    assert.equal(publisherId(b, 'live/shared'), undefined);
    assert.ok(b.logs.some((l) => l.includes('publish refused: the stream is live on another node')));
    assert.notEqual(publisherId(a, 'live/shared'), undefined, 'A keeps publishing');
  } finally {
    await pubA.kill('SIGKILL');
  }
});

test('Redis restarted mid-stream: the publisher keeps flowing, a publish during the outage is accepted and claimed afterwards, the registry recovers', async (t) => {
  const [a, b] = await pair(t, { auth: 'open', takeover: 'reject' });
  const pubA = await ffmpegPublish(a.rtmpUrl('steady'));
  let pubB: Awaited<ReturnType<typeof ffmpegPublish>> | undefined;
  try {
    await until(() => publisherId(a, 'live/steady') !== undefined, 'A to publish');
    const id = publisherId(a, 'live/steady');
    await redis.kill();
    const bytesAtOutage = a.hub.stream('live/steady')!.publisher!.bytesIn;
    pubB = await ffmpegPublish(b.rtmpUrl('during-outage'));
    await until(() => publisherId(b, 'live/during-outage') !== undefined, 'B to accept a publish while Redis is down');
    await until(() => a.hub.stream('live/steady')!.publisher!.bytesIn > bytesAtOutage + 50_000, 'media to keep flowing on A');
    await redis.restart();
    const pairIds = [a.cluster.coordinator.nodeId, b.cluster.coordinator.nodeId].sort();
    await until(async () => JSON.stringify((await a.cluster.coordinator.nodes().catch(() => [])).map((n) => n.nodeId).filter((n) => pairIds.includes(n))) === JSON.stringify(pairIds), 'both nodes back in the registry');
    await until(async () => (await a.cluster.coordinator.locate('live/during-outage'))?.nodeId === b.cluster.coordinator.nodeId, 'B to claim its outage publish');
    await until(async () => (await b.cluster.coordinator.locate('live/steady'))?.nodeId === a.cluster.coordinator.nodeId, 'A to re-claim its stream');
    assert.equal(publisherId(a, 'live/steady'), id, 'the same publisher all along');
    assert.ok(a.logs.some((l) => l.includes('cluster store (Redis) unreachable')));
    assert.ok(a.logs.some((l) => l.includes('cluster store reachable again')));
  } finally {
    await pubA.kill('SIGKILL');
    await pubB?.kill('SIGKILL');
  }
});

test('a node joining a live cluster leaves the first node\'s recording alone (start-up repair is the first node\'s)', async (t) => {
  const db = await freshPostgresDatabase(pg.url);
  const tag = Math.random().toString(36).slice(2, 6);
  const a = await clusterNode(`a-${tag}`, db, redis.url, { auth: 'keys' });
  servers.push(a);
  t.after(async () => {
    await a.close();
    servers.splice(0, servers.length);
  });
  const stream = await serverApi(a, 'POST', '/streams', { settings: { record: true, reconnectWindowSec: 0 } }) as ApiStream;
  const pub = await ffmpegPublish(a.rtmpUrl(stream.streamKey));
  try {
    const recordingAsset = async (s: TestServer) =>
      ((await serverApi(s, 'GET', `/assets?streamId=${stream.id}`)) as { items: { id: string; status: string }[] }).items[0];
    await until(async () => (await recordingAsset(a))?.status === 'recording', 'A to be recording');
    const b = await clusterNode(`b-${tag}`, db, redis.url, { auth: 'keys' });
    servers.push(b);
    t.after(() => b.close());
    assert.ok(b.logs.some((l) => l.includes('start-up session repair left to them')), 'B sees A and skips start-up repair');
    assert.equal((await recordingAsset(b))?.status, 'recording', 'A\'s live recording was not ended by B\'s start');
    assert.ok(a.recording.live((await recordingAsset(a))!.id), 'A still writes it');
  } finally {
    await pub.kill('SIGKILL');
  }
});
