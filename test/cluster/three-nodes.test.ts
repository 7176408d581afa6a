import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../support/onair.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts } from '../support/clients.js';
import { mediaPlaylist } from '../support/hls-http.js';
import { tmpFile } from '../support/media.js';
import type { Proc } from '../support/proc.js';
import { clusterNode, spawnNode, until } from './support.js';

/**
 * Issue 21's cluster scenario on loopback with a real Redis and PostgreSQL: node A (its own process, so it can
 * be killed -9) owns the stream; B serves RTMP players and C HLS players through pulls located in Redis. Then
 * A dies: its lease expires, the encoder's reconnect lands on B, and C's HLS viewers go on (DISCONTINUITY).
 */
let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let a: Awaited<ReturnType<typeof spawnNode>>;
let b: TestServer;
let c: TestServer;
const publishers: Proc[] = [];

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const db = await freshPostgresDatabase(pg.url);
  a = await spawnNode('node-a', db, redis.url);
  b = await clusterNode('node-b', db, redis.url, { 'edge-start-timeout-ms': 8000 });
  c = await clusterNode('node-c', db, redis.url, { 'edge-start-timeout-ms': 8000, 'hls-segment-ms': 1000, 'hls-part-ms': 200 });
});
after(async () => {
  for (const p of publishers) await p.kill('SIGKILL').catch(() => {});
  await a?.proc.kill('SIGKILL').catch(() => {});
  await Promise.all([b?.close(), c?.close()]);
  await redis?.stop();
  await pg?.stop();
});

async function record(url: string, seconds: number): Promise<{ video: number; audio: number }> {
  const out = tmpFile('cluster.flv');
  const p = ffmpegRecord(url, out, seconds);
  assert.equal(await p.exited, 0, p.stderr());
  return ffprobeFrameCounts(out);
}

test('publish to A, play RTMP from B and HLS from C; kill -9 of A: the republish lands on B and C\'s playlist continues', async () => {
  const pub = await ffmpegPublish(a.rtmpUrl('cam'));
  publishers.push(pub);
  await until(async () => (await b.cluster.coordinator.locate('live/cam'))?.nodeId === 'node-a', 'B to locate the stream on A');

  const [rtmpOnB, hlsOnC] = await Promise.all([record(b.rtmpUrl('cam'), 3), record(c.httpUrl('/hls/cam/index.m3u8'), 2)]);
  // 25 fps clip: 3 s is 75 video frames, 2 s is 50 (a start at a keyframe and slow starts allowed for).
  assert.ok(rtmpOnB.video >= 55 && rtmpOnB.audio >= 90, `RTMP on B: ${JSON.stringify(rtmpOnB)}`);
  assert.ok(hlsOnC.video >= 35 && hlsOnC.audio >= 60, `HLS on C: ${JSON.stringify(hlsOnC)}`);
  assert.equal(b.hub.stream('live/cam')?.publisher?.info.protocol ?? 'edge', 'edge', 'B holds a pull, never a lease');
  const before = await mediaPlaylist(c, 'cam');
  const lastMsn = (p: typeof before) => p.mediaSequence + p.segments.length - 1;

  // The owner dies without a word: no lease release, no unpublish sent to the cluster.
  await a.proc.kill('SIGKILL');
  await pub.kill('SIGKILL');
  // The encoder reconnects through the load balancer to B; refused while A's lease lives, accepted after it expired.
  await until(async () => (await c.cluster.coordinator.locate('live/cam')) === undefined, 'A\'s lease to expire');
  let again: Proc | undefined;
  await until(async () => {
    if (b.hub.stream('live/cam')?.publisher?.info.protocol === 'rtmp') return true;
    if (!again || again.child.exitCode !== null) {
      again = await ffmpegPublish(b.rtmpUrl('cam'));
      publishers.push(again);
    }
    return false;
  }, 'the republish to land on B', 30_000);
  await until(async () => (await c.cluster.coordinator.locate('live/cam'))?.nodeId === 'node-b', 'C to locate the stream on B');

  // C's viewers keep the same playlist: a discontinuity at the change of owner and a rising media sequence.
  const continued = await until(async () => {
    const p = await mediaPlaylist(c, 'cam');
    return lastMsn(p) > lastMsn(before) + 1 && p.segments.some((s) => s.discontinuity);
  }, 'C\'s playlist to continue past the failover with a DISCONTINUITY', 30_000).then(() => true);
  assert.ok(continued);
  const after = await mediaPlaylist(c, 'cam');
  assert.notEqual(after.endList, true, 'no ENDLIST: the stream goes on');
  const hlsAfter = await record(c.httpUrl('/hls/cam/index.m3u8'), 2);
  assert.ok(hlsAfter.video >= 35, `HLS on C after the failover: ${JSON.stringify(hlsAfter)}`);
});
