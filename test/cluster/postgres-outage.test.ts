import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { serverApi, type ApiStream } from '../support/stream-api.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { sleep, within, type Proc } from '../support/proc.js';
import { clusterNode, until } from './support.js';

/**
 * README "PostgreSQL outage" in a cluster (Redis up, PostgreSQL stopped and restarted): a stream published on
 * node A keeps flowing to an RTMP player on node B (an edge pull; the lease and the locator are Redis's); an
 * encoder that drops during the outage reconnects to B, which never checked its key, and is taken from B's
 * playback directory; a key no stream had is refused; the sessions written during the outage reach the database
 * when it is back.
 */
const PLAY_SECONDS = 12;
let pgServer: TestPostgres;
let redis: TestRedis;
let a: TestServer;
let b: TestServer;
const procs: Proc[] = [];

before(async () => {
  [pgServer, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const db = await freshPostgresDatabase(pgServer.url);
  a = await clusterNode('a', db, redis.url, { auth: 'keys' });
  b = await clusterNode('b', db, redis.url, { auth: 'keys' });
});
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await a?.close();
  await b?.close();
  await redis?.stop();
  await pgServer?.stop();
});

async function publish(server: TestServer, s: ApiStream): Promise<Proc> {
  const p = await ffmpegPublish(server.rtmpUrl(s.streamKey));
  procs.push(p);
  return p;
}

test('PostgreSQL down under a two-node cluster: the edge viewer keeps playing, a reconnect lands on the other node and is taken, a key no stream had is refused', async () => {
  const s1 = await serverApi(a, 'POST', '/streams', {}) as ApiStream;
  const s2 = await serverApi(a, 'POST', '/streams', { settings: { reconnectWindowSec: 60 } }) as ApiStream;
  await publish(a, s1);
  const firstS2 = await publish(a, s2);
  await until(() => !!a.hub.stream(`live/${s1.playbackId}`)?.isActive && !!a.hub.stream(`live/${s2.playbackId}`)?.isActive, 'both live on A');
  const out = tmpFile('pg-outage-edge.flv');
  const player = ffmpegRecord(b.rtmpUrl(s1.playbackId), out, PLAY_SECONDS);
  procs.push(player);
  await until(() => !!b.hub.stream(`live/${s1.playbackId}`)?.publisher, 'the edge pull on B');
  await sleep(1000);

  await pgServer.halt();
  await firstS2.kill('SIGKILL');
  await until(() => !a.hub.stream(`live/${s2.playbackId}`)?.publisher, 's2 gone from A');
  // The load balancer sends the reconnect to B, which never checked this key: its playback directory holds the
  // stream as last read (key hash and settings), so B takes it (the lease is Redis's).
  await publish(b, s2);
  await until(() => !!b.hub.stream(`live/${s2.playbackId}`)?.isActive, 's2 back on air on B during the outage');
  assert.ok(b.logs.some((l) => l.includes('checked against the last-known keys')));
  // A key no stream had is refused at once: it cannot be checked.
  const bogus = await ffmpegPublish(b.rtmpUrl(`sk_${'q'.repeat(28)}`));
  procs.push(bogus);
  const exit = await within(bogus.exited, 15_000, 'still running' as const);
  assert.notEqual(exit, 'still running');
  assert.ok(b.logs.some((l) => l.includes('publish refused') && l.includes('"code":"unavailable"')));
  const res = await fetch(b.httpUrl('/api/v1/streams'), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
  await res.body?.cancel();
  assert.equal(res.status, 503);
  await sleep(2000);
  await pgServer.restart();

  assert.equal(await player.exited, 0, player.stderr());
  const frames = await ffprobeFrameCounts(out);
  assert.ok(frames.video >= PLAY_SECONDS * 25 * 0.9, `edge viewer: ${frames.video} video frames for ${PLAY_SECONDS} s`);
  await until(async () => {
    const list = await serverApi(b, 'GET', `/streams/${s2.id}/sessions`).catch(() => null);
    return list?.data.length === 2 && list.data.filter((x: { endedAt: string | null }) => x.endedAt).length === 1;
  }, 's2\'s two sessions written after the outage (one ended)', 30_000);
  assert.equal((await serverApi(b, 'GET', `/streams/${s2.id}`)).status, 'active');
});

test('after the outage, a stream published during it is shown active by the API at once, before the queued writes replay', async () => {
  const s3 = await serverApi(a, 'POST', '/streams', {}) as ApiStream;
  assert.equal((await serverApi(a, 'GET', `/streams/${s3.id}`)).status, 'idle');
  await pgServer.halt();
  await publish(a, s3);
  await until(() => !!a.hub.stream(`live/${s3.playbackId}`)?.isActive, 's3 live on A during the outage');
  // Long enough for the queue's retry to back off to its 5 s maximum: the replay then trails the API's first answer.
  await sleep(9000);
  await pgServer.restart();
  let first: { status: number; body: { status?: string } } | undefined;
  await until(async () => {
    const res = await fetch(a.httpUrl(`/api/v1/streams/${s3.id}`), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    first = { status: res.status, body: await res.json() as { status?: string } };
    return res.status === 200;
  }, 'the API answering again', 30_000);
  assert.equal(first!.body.status, 'active', 'the first answer after the outage: live here, not the row\'s idle');
  await until(async () => (await serverApi(a, 'GET', `/streams/${s3.id}/sessions`)).data.length === 1, 's3\'s session replayed', 30_000);
  assert.equal((await serverApi(a, 'GET', `/streams/${s3.id}`)).status, 'active');
});
