import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../support/onair.js';
import { launchHlsBrowser, type HlsBrowser, type PlayerState } from '../../support/hls-browser.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { ffmpegPublish } from '../support/clients.js';
import { rtmpPlayOutcome } from '../support/rtmp-play.js';
import { run, type Proc } from '../support/proc.js';
import { clusterNode, spawnNode, until } from './support.js';

/**
 * Issue 21: the window after a kill -9 of a stream's owner while its lease still lives (a lease long enough to see
 * it: 12 s, renewed every 4 s, so 8-12 s remain). The edge C finds the owner gone (its ports refuse; the registry
 * would show its heartbeat overdue) and answers players clearly: HLS parts and segments 503 + Retry-After at once,
 * HLS playlists 503 + Retry-After after the hold for a next owner (not 502), HTTP-FLV 503 + Retry-After at once (not
 * 404 after --edge-start-timeout-ms), RTMP play refused at once as between nodes; hls.js on C plays on once the
 * publisher has reconnected to B.
 */
const HLS = { 'hls-segment-ms': 1000, 'hls-part-ms': 250 };
/** The edge's hold for a next owner (EdgeHlsProxy ownerWaitMs) and a pull's start wait: "at once" means well inside them. */
const HOLD_MS = 6000;

let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let db: string;
let b: TestServer;
let c: TestServer;
let browser: HlsBrowser | undefined;
const procs: Proc[] = [];

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  db = await freshPostgresDatabase(pg.url);
  b = await clusterNode('dead-b', db, redis.url, HLS);
  c = await clusterNode('dead-c', db, redis.url, HLS);
  browser = await launchHlsBrowser();
});
after(async () => {
  await browser?.close();
  for (const p of procs) await p.kill('SIGKILL').catch(() => {});
  await Promise.all([b?.close(), c?.close()]);
  await redis?.stop();
  await pg?.stop();
});

function noFatal(s: PlayerState): void {
  assert.deepEqual(s.fatal, [], `fatal hls.js errors: ${s.fatal.join(', ')}`);
}

async function betweenOwners(res: Response, what: string): Promise<void> {
  const body = await res.text();
  assert.equal(res.status, 503, `${what}: ${res.status} ${body}`);
  assert.equal(res.headers.get('retry-after'), '1', what);
  assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'stream_not_ready', what);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

test('kill -9 of the owner while its lease lives: the edge answers 503 + Retry-After (media, FLV, RTMP at once; playlists after the hold), then plays on from the new owner', async () => {
  const name = 'deadowner';
  const path = `live/${name}`;
  const a = await spawnNode('dead-a', db, redis.url, { ...HLS, 'cluster-lease-ms': 12_000 });
  procs.push(a.proc);
  const publisher = await ffmpegPublish(a.rtmpUrl(name));
  procs.push(publisher);
  await until(async () => (await c.cluster.coordinator.locate(path))?.nodeId === 'dead-a', 'C to locate the stream on A');
  await until(async () => (await fetch(c.httpUrl(`/hls/${name}/src/media.m3u8`))).status === 200, 'C to serve A\'s playlist', 20_000);
  const page = await browser!.open(c.httpUrl(`/hls/${name}/index.m3u8`), true);
  await until(async () => {
    const s = await browser!.state(page);
    noFatal(s);
    return s.currentTime > 2;
  }, 'hls.js on C to play', 30_000);
  // A part two segments ahead of the playlist's preload hint: A never made it (it dies first), so no edge has it,
  // and a blocking reload for a segment after it: only A could answer them (hls.js asks for the hint and the next MSN).
  const playlist = await (await fetch(c.httpUrl(`/hls/${name}/src/media.m3u8`))).text();
  const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-([^-"]+)-(\d+)-\d+\.m4s/.exec(playlist);
  assert.ok(hint, playlist);
  const [instance, msn] = [hint[1]!, Number(hint[2])];
  const futurePart = `part-${instance}-${msn + 2}-0.m4s`;
  const futureReload = `media.m3u8?_HLS_msn=${msn + 3}&_HLS_part=0`;

  await a.proc.kill('SIGKILL');
  await publisher.kill('SIGKILL');

  const part = await timed(() => fetch(c.httpUrl(`/hls/${name}/src/${futurePart}`)));
  await betweenOwners(part.value, 'a part of the dead owner');
  assert.ok(part.ms < HOLD_MS, `the part was answered at once, not after the hold (${Math.round(part.ms)} ms)`);

  const flv = await timed(() => fetch(c.httpUrl(`/live/${name}.flv`)));
  await betweenOwners(flv.value, 'HTTP-FLV');
  assert.ok(flv.ms < HOLD_MS, `FLV answered at once (${Math.round(flv.ms)} ms)`);

  const rtmp = await timed(() => rtmpPlayOutcome(c.rtmpUrl(name)));
  assert.match(rtmp.value, /between nodes/, 'RTMP play refused as between owners');
  assert.ok(rtmp.ms < HOLD_MS, `RTMP answered at once (${Math.round(rtmp.ms)} ms)`);
  // A real RTMP player: ffmpeg gives up at once with the server's reason.
  const ffplay = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', c.rtmpUrl(name), '-t', '2', '-f', 'null', '-'], { timeoutMs: 20_000 });
  const ffmpegCode = await timed(() => ffplay.exited);
  assert.notEqual(ffmpegCode.value, 0, 'ffmpeg did not play');
  assert.match(ffplay.stderr(), /between nodes|StreamNotFound|Server error/, ffplay.stderr());
  assert.ok(ffmpegCode.ms < HOLD_MS, `ffmpeg refused at once (${Math.round(ffmpegCode.ms)} ms)`);

  // A playlist is held for a next owner (hls.js retries a playlist only twice), then 503, not 502.
  const held = await timed(() => fetch(c.httpUrl(`/hls/${name}/src/${futureReload}`)));
  await betweenOwners(held.value, 'the playlist after the hold').catch((err: Error) => {
    throw new Error(`${err.message}\nafter ${Math.round(held.ms)} ms; C's log: ${c.logs.filter((l) => /edge|owner/.test(l)).slice(-20).join('\n')}`);
  });
  assert.equal((await c.cluster.coordinator.locate(path))?.nodeId, 'dead-a', 'all of this while the dead owner\'s lease still names it');

  // The encoder reconnects to B once A's lease expired (refused before): hls.js on C plays on.
  const before = await browser!.state(page);
  let again: Proc | undefined;
  await until(async () => {
    if (b.hub.stream(path)?.publisher?.info.protocol === 'rtmp') return true;
    if (!again || again.child.exitCode !== null) {
      again = await ffmpegPublish(b.rtmpUrl(name));
      procs.push(again);
    }
    return false;
  }, 'the republish to land on B', 30_000);
  let last = before;
  await until(async () => {
    last = await browser!.state(page);
    noFatal(last);
    return last.currentTime >= before.currentTime + 4;
  }, 'hls.js on C to play on from B', 40_000).catch((err: Error) => {
    throw new Error(`${err.message}: from ${before.currentTime} s, now ${JSON.stringify(last)}`);
  });
  // And the FLV and RTMP viewers that come now are served (pulled from B).
  assert.equal(await rtmpPlayOutcome(c.rtmpUrl(name)), 'played');
  await page.close();
});
