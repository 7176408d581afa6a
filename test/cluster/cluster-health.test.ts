import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { freePort } from '../../support/free-port.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { createLogger } from '../../src/core/logger.js';
import { RedisCoordinator } from '../../src/services/cluster/redis-coordinator.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { ffmpegPublish } from '../support/clients.js';
import { ffmpegViewer } from '../support/playback-viewers.js';
import { firstHealthEvent } from '../support/health-feed.js';
import { serverApi, type ApiStream } from '../support/stream-api.js';
import { run, waitFor, type Proc } from '../support/proc.js';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { clusterNode } from './support.js';

/**
 * Issues 21/18: the health API answers the same on every node of a cluster. Published on A, with an RTMP player on A
 * and one on B (B holds a pull of the stream, with its own player only): a stream's health and its SSE feed on B and C
 * are A's (its ingest, its codecs, both players), and `/api/v1/health` on A, B and C lists the stream once, with A's
 * figures. A node registered in Redis whose API does not listen (alive by its heartbeat) makes its stream's health a
 * 502 and is left out of the lists, counted; once a kill -9 leaves its heartbeat overdue (its lease not expired
 * yet), its stream's health and feed are answered here, offline.
 */
const FLAGS = { auth: 'keys', 'cluster-lease-ms': 4000 };

let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let a: TestServer;
let b: TestServer;
let c: TestServer;
let stream: ApiStream;
const procs: Proc[] = [];
let gone: RedisCoordinator | undefined;

interface Health {
  streamId: string;
  state: string;
  video: { codec: string | null; width: number | null; height: number | null } | null;
  audio: { codec: string | null; sampleRate: number | null } | null;
  ingest: { protocol: string } | null;
  viewers: { rtmp: number; total: number };
}
interface ListItem { streamId: string | null; path: string; state: string; viewers: number }

const health = (server: TestServer, id = stream.id): Promise<Health> => serverApi(server, 'GET', `/streams/${id}/health`) as Promise<Health>;
const list = async (server: TestServer): Promise<ListItem[]> => ((await serverApi(server, 'GET', '/health')) as { data: ListItem[] }).data;
/** What does not change from one second to the next of a steady stream (its state may, with its reasons). */
const figures = (h: Health) => ({ live: h.state !== 'offline', video: h.video && { codec: h.video.codec, width: h.video.width, height: h.video.height }, audio: h.audio?.codec, ingest: h.ingest?.protocol, viewers: h.viewers });

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const db = await freshPostgresDatabase(pg.url);
  [a, b, c] = await Promise.all([clusterNode('ch-a', db, redis.url, FLAGS), clusterNode('ch-b', db, redis.url, FLAGS), clusterNode('ch-c', db, redis.url, FLAGS)]);
  stream = await serverApi(a, 'POST', '/streams', {}) as ApiStream;
  procs.push(await ffmpegPublish(a.rtmpUrl(stream.streamKey)));
  await waitFor('the stream live on A with its video known', async () => (await health(a)).video?.width != null, 30_000, 250);
  // One player at the owner, one at an edge (B pulls the stream for it): A counts both, B's pull knows its own.
  procs.push(ffmpegViewer(`rtmp://127.0.0.1:${a.ports.rtmp}/live/${stream.playbackId}`), ffmpegViewer(`rtmp://127.0.0.1:${b.ports.rtmp}/live/${stream.playbackId}`));
  await waitFor('both players counted at A', async () => (await health(a)).viewers.rtmp === 2, 30_000, 250);
  await waitFor('B holding a pull', () => b.hub.stream(`live/${stream.playbackId}`)?.publisher?.info.protocol === 'edge', 10_000);
});
after(async () => {
  for (const p of procs) await p.kill('SIGKILL').catch(() => {});
  await gone?.close();
  await Promise.all([a?.close(), b?.close(), c?.close()]);
  await redis?.stop();
  await pg?.stop();
});

test('a stream\'s health on B and C is the owner\'s: A\'s ingest and codecs, every node\'s players', async () => {
  const owner = figures(await health(a));
  assert.equal(owner.live, true);
  assert.equal(owner.ingest, 'rtmp');
  assert.equal(owner.viewers.rtmp, 2);
  for (const [name, server] of [['B', b], ['C', c]] as const) {
    const answer = await health(server);
    assert.equal(answer.streamId, stream.id);
    assert.deepEqual(figures(answer), owner, `the health on ${name}`);
  }
});

test('the health feed on B delivers the owner\'s events', async () => {
  const event = await firstHealthEvent<Health>(b.httpUrl(`/api/v1/streams/${stream.id}/health/events?token=${TEST_API_TOKEN}`));
  assert.equal(event.streamId, stream.id);
  assert.deepEqual(figures(event), figures(await health(a)));
});

test('the stream list on A, B and C lists the stream once, with the owner\'s figures', async () => {
  for (const [name, server] of [['A', a], ['B', b], ['C', c]] as const) {
    const lines = (await list(server)).filter((l) => l.streamId === stream.id);
    assert.equal(lines.length, 1, `${name}: ${JSON.stringify(lines)}`);
    assert.notEqual(lines[0]!.state, 'offline', name);
    assert.equal(lines[0]!.viewers, 2, `${name}: the owner's count of both players`);
  }
});

test('no owner: answered here (offline; unknown id 404); a dead owner: 502, and left out of the lists, counted', async () => {
  const idle = await serverApi(a, 'POST', '/streams', {}) as ApiStream;
  assert.equal((await health(b, idle.id)).state, 'offline');
  await assert.rejects(health(b, 'str_nope'), /404/);

  // A node that registered and took a stream's lease, whose API does not answer (nothing listens on its port).
  const dead = `http://127.0.0.1:${await freePort()}`;
  gone = new RedisCoordinator({ url: redis.url, nodeId: 'ch-gone', leaseMs: 4000, log: createLogger('silent') });
  await gone.start({ rtmpUrl: `rtmp://127.0.0.1:${await freePort()}`, httpUrl: dead });
  assert.equal((await gone.claim(`live/${idle.playbackId}`, { force: false })).ok, true);
  const res = await fetch(b.httpUrl(`/api/v1/streams/${idle.id}/health`), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
  assert.equal(res.status, 502);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'bad_gateway');

  const lines = (await list(b)).filter((l) => l.streamId === stream.id);
  assert.equal(lines.length, 1, 'the live nodes\' streams are listed');
  const metrics = await (await fetch(b.httpUrl('/metrics'))).text();
  const missing = Number(/^onair_health_list_nodes_missing_total (\d+)/m.exec(metrics)?.[1]);
  assert.ok(missing >= 1, `onair_health_list_nodes_missing_total on B: ${missing}`);
});

test('an owner killed with SIGKILL, its lease not expired yet: 502 while its heartbeat runs, then answered here (offline), the feed too', async () => {
  const idle = await serverApi(a, 'POST', '/streams', {}) as ApiStream;
  const path = `live/${idle.playbackId}`;
  // A node in its own process that registers (its API at port 1: nothing listens), claims the stream and renews until
  // killed. A lease of 15 s, renewed every 5 s: its heartbeat is overdue 7.5 s after the last, the lease lives 15.
  const script = fileURLToPath(new URL('./fixtures/claim-and-hang.ts', import.meta.url));
  const child = run(process.execPath, ['--import', 'tsx', script, redis.url, 'onair:', 'ch-killed', path, '15000'], { timeoutMs: 60_000 });
  procs.push(child);
  // The lease as the store holds it (the coordinators' key: <prefix>lease:<path>).
  const store = new Redis(redis.url);
  const leaseHolder = (): Promise<string | null> => store.hget(`onair:lease:${path}`, 'node');
  try {
    await waitFor('the child node claims the stream', () => child.stdout().includes('claimed'), 30_000, 100);
    const status = async (): Promise<number> => (await fetch(b.httpUrl(`/api/v1/streams/${idle.id}/health`), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).status;
    assert.equal(await status(), 502, 'alive by its heartbeat, its API unreachable: 502');
    await child.kill('SIGKILL');
    await waitFor('the health answered on B', async () => (await status()) === 200, 20_000, 250);
    assert.equal(await leaseHolder(), 'ch-killed', 'the lease still names the killed node');
    assert.equal((await health(b, idle.id)).state, 'offline');
    const event = await firstHealthEvent<Health>(b.httpUrl(`/api/v1/streams/${idle.id}/health/events?token=${TEST_API_TOKEN}`));
    assert.deepEqual([event.streamId, event.state], [idle.id, 'offline']);
    assert.equal(await leaseHolder(), 'ch-killed', 'the lease still names the killed node');
  } finally {
    store.disconnect();
  }
});
