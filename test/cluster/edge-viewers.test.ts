import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { ffmpegPublish } from '../support/clients.js';
import { ffmpegViewer } from '../support/playback-viewers.js';
import { HlsFollower } from '../support/hls-follower.js';
import { countsSettle, firstHealthEvent } from '../support/health-feed.js';
import { serverApi, type ApiStream } from '../support/stream-api.js';
import { sleep, waitFor, type Proc } from '../support/proc.js';
import { clusterNode, spawnNode } from './support.js';

/**
 * Issues 21/18: a stream's viewers are the cluster's at its owning node. Published on A; HLS viewers (raw HTTP clients
 * following the playlist, told apart by user agent: all come from 127.0.0.1) on A, on B, on C, and one whose requests
 * alternate between A and B; an HTTP-FLV player (ffmpeg) on B and an RTMP player (ffmpeg) on C, served through the
 * edges' pulls. A's health API and its gauge count each once (the edges report to A through Redis; their proxy requests
 * and pulls are no viewers at A), and A's bytes out cover what the HLS viewers received. B's player leaving, and C
 * killed (kill -9: it stops reporting), take them out of A's figure after the report TTL (3 s).
 */
const FLAGS = { auth: 'keys', 'cluster-lease-ms': 4000, 'hls-segment-ms': 500, 'edge-grace-ms': 30_000 };

let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let a: TestServer;
let b: TestServer;
let c: { proc: Proc; rtmpUrl(name: string): string; apiUrl: string };
let pub: Proc | undefined;
const procs: Proc[] = [];

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const db = await freshPostgresDatabase(pg.url);
  a = await clusterNode('ev-a', db, redis.url, FLAGS);
  [b, c] = await Promise.all([clusterNode('ev-b', db, redis.url, FLAGS), spawnNode('ev-c', db, redis.url, FLAGS)]);
  procs.push(c.proc);
});
after(async () => {
  for (const p of procs) await p.kill('SIGKILL').catch(() => {});
  await pub?.kill('SIGKILL');
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
  await pg?.stop();
});

interface Health { state: string; viewers: { rtmp: number; hls: number; flv: number; total: number }; bytesOut: number }

test('HLS viewers and RTMP/FLV players on the edges are counted once at the owner; a player leaving and a node killed drop out', async () => {
  const stream = await serverApi(a, 'POST', '/streams', {}) as ApiStream;
  const health = (): Promise<Health> => serverApi(a, 'GET', `/streams/${stream.id}/health`) as Promise<Health>;
  const viewers = async (): Promise<string> => {
    const v = (await health()).viewers;
    return `rtmp ${v.rtmp} flv ${v.flv} hls ${v.hls} total ${v.total}`;
  };
  /** A's health settles on `want` and holds it for a few report rounds (no pull or proxy request counted, none lost). */
  const ownerCounts = (what: string, want: string, timeoutMs = 20_000): Promise<void> => countsSettle(viewers, what, want, timeoutMs);
  const gauge = async (protocol: string): Promise<number> => {
    const text = await (await fetch(a.httpUrl('/metrics'))).text();
    const line = text.split('\n').find((l) => l.startsWith('onair_stream_viewers{') && l.includes(`stream="${stream.id}"`) && l.includes(`protocol="${protocol}"`));
    return Number(line?.split(' ').at(-1) ?? NaN);
  };

  pub = await ffmpegPublish(a.rtmpUrl(stream.streamKey));
  await waitFor('the stream live on A', async () => (await health()).state !== 'offline', 30_000, 250);
  await sleep(1_000);
  const baseline = (await health()).bytesOut;
  const cHttp = Number(new URL(c.apiUrl).port);
  const cRtmp = Number(new URL(c.rtmpUrl('x')).port);
  const followers = {
    a: new HlsFollower(stream.playbackId, 'a-viewer/1', [a.ports.http]),
    b: new HlsFollower(stream.playbackId, 'b-viewer/1', [b.ports.http]),
    ab: new HlsFollower(stream.playbackId, 'ab-viewer/1', [a.ports.http, b.ports.http]),
    c1: new HlsFollower(stream.playbackId, 'c-viewer/1', [cHttp]),
    c2: new HlsFollower(stream.playbackId, 'c-viewer/2', [cHttp]),
  };
  for (const f of Object.values(followers)) f.start();
  const flvOnB = ffmpegViewer(`http://127.0.0.1:${b.ports.http}/live/${stream.playbackId}.flv`);
  const rtmpOnC = ffmpegViewer(`rtmp://127.0.0.1:${cRtmp}/live/${stream.playbackId}`);
  procs.push(flvOnB, rtmpOnC);
  try {
    await ownerCounts('every viewer once', 'rtmp 1 flv 1 hls 5 total 7', 30_000);
    assert.equal(await gauge('hls'), 5, 'onair_stream_viewers{protocol="hls"} on A');
    assert.equal(await gauge('rtmp'), 1, 'onair_stream_viewers{protocol="rtmp"} on A');
    assert.deepEqual((await firstHealthEvent<Health>(a.httpUrl(`/api/v1/streams/${stream.id}/health/events?token=${TEST_API_TOKEN}`))).viewers, { rtmp: 1, flv: 1, hls: 5, total: 7 }, 'the health feed on A');
    const received = Object.values(followers).reduce((n, f) => n + f.bytes, 0);
    const out = (await health()).bytesOut - baseline;
    // A's figure is its own viewers' bytes plus the edges' reports (a round behind) and the players' bytes.
    assert.ok(out >= received * 0.8, `A's bytes out since the baseline (${out}) cover the HLS viewers' bytes (${received})`);

    // B's FLV player leaves (B's pull lingers for --edge-grace-ms: still no viewer at A).
    await flvOnB.kill('SIGKILL');
    await ownerCounts('B\'s player gone', 'rtmp 1 flv 0 hls 5 total 6');

    // C is killed with its viewers: it stops reporting, and A drops its two sessions and its RTMP player after the TTL.
    await Promise.all([followers.c1.stop(), followers.c2.stop()]);
    await c.proc.kill('SIGKILL');
    await ownerCounts('C killed', 'rtmp 0 flv 0 hls 3 total 3', 15_000);
  } finally {
    await Promise.all(Object.values(followers).map((f) => f.stop()));
    await rtmpOnC.kill('SIGKILL');
  }
  for (const f of [followers.a, followers.b, followers.ab]) {
    assert.deepEqual(f.failures, [], 'every request answered');
    assert.ok(f.requests >= 10, `a viewer that played (${f.requests} requests)`);
  }
});
