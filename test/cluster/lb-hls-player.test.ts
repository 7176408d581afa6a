import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../../support/onair.js';
import { launchHlsBrowser, type HlsBrowser, type PlayerState } from '../../support/hls-browser.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { ffmpegPublish } from '../support/clients.js';
import { sleep, waitFor, type Proc } from '../support/proc.js';
import { clusterNode } from './support.js';
import { startNginxLb, type LbRequest, type NginxLb } from './nginx-lb.js';

/**
 * Issue 21, HLS from any node behind a real load balancer: nginx round-robin over three nodes' HTTP ports (no
 * ip_hash, no upstream keepalive), the stream published to A, hls.js in headless Chromium playing through nginx.
 * Every request may land on another node; with `--edge-hls proxy` each node answers with A's own playlists and
 * media, so the player sees one stream (with `--edge-hls local` the nodes' independent packagers give it
 * other names and numbers on every request, and this test fails).
 */
/**
 * No lease expires here: a lease of 5 s rather than the cluster tests' 0.9 s, so that a loaded machine (CI runs two test
 * files at once, this one with three nodes, nginx, ffmpeg and Chromium) stalling a renewal by 0.6 s does not take the
 * stream from A in the middle of playback (seen once in CI: A lost its lease and the nodes answered 404).
 */
const HLS = { 'hls-segment-ms': 1000, 'hls-part-ms': 250, 'cluster-lease-ms': 5000 };
const PLAY_MS = 12_000;

let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
const nodes: TestServer[] = [];
let lb: NginxLb | undefined;
let browser: HlsBrowser | undefined;
const pubs: Proc[] = [];

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const db = await freshPostgresDatabase(pg.url);
  for (const n of ['a', 'b', 'c']) nodes.push(await clusterNode(`lb-${n}`, db, redis.url, HLS));
  pubs.push(await ffmpegPublish(nodes[0]!.rtmpUrl('lb')));
  await waitFor('the stream live on A', () => nodes[0]!.hub.stream('live/lb')?.isActive, 20_000);
  // Every node knows the stream (playback directory through PostgreSQL) before the player starts.
  for (const node of nodes) {
    await waitFor('the node to serve the stream', async () => (await fetch(node.httpUrl('/hls/lb/index.m3u8'))).status === 200, 20_000, 200);
  }
  lb = await startNginxLb(nodes.map((n) => `127.0.0.1:${n.ports.http}`));
  browser = await launchHlsBrowser();
});
after(async () => {
  await browser?.close();
  await lb?.stop();
  for (const p of pubs) await p.kill('SIGKILL').catch(() => {});
  for (const n of nodes.reverse()) await n.close();
  await redis?.stop();
  await pg?.stop();
});

/** The media sequence ranges of every media playlist hls.js loaded, from now on. */
async function watchPlaylists(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __hls: { on(e: string, f: (e: string, d: { details: { startSN: number; endSN: number } }) => void): void }; __loaded: number[][] };
    w.__loaded = [];
    w.__hls.on('hlsLevelLoaded', (_e, d) => w.__loaded.push([d.details.startSN, d.details.endSN]));
  });
}

function loaded(page: Page): Promise<number[][]> {
  return page.evaluate(() => (globalThis as unknown as { __loaded: number[][] }).__loaded);
}

function noFatal(s: PlayerState, what: string): void {
  // On failure: which node refused what (nginx's log), and those nodes' warnings.
  const refusals = (): string => {
    const refused = lb!.requests().filter((r) => r.uri.startsWith('/hls/') && r.status >= 400);
    const warnings = nodes.flatMap((n) => n.logs.filter((l) => /"level":(40|50)/.test(l)).slice(-5));
    return `${JSON.stringify(refused.slice(0, 10))}\n${warnings.join('\n')}`;
  };
  if (s.fatal.length > 0) assert.fail(`${what}: fatal hls.js errors: ${s.fatal.join(', ')}; refused: ${refusals()}`);
}

/** Which node (upstream address) served each kind of request. */
function servedBy(requests: readonly LbRequest[]): Record<'playlist' | 'part' | 'segment', Set<string>> {
  const by = { playlist: new Set<string>(), part: new Set<string>(), segment: new Set<string>() };
  for (const r of requests) {
    const file = r.uri.split('?')[0]!.split('/').pop()!;
    if (file.endsWith('.m3u8')) by.playlist.add(r.upstream);
    else if (file.startsWith('part-')) by.part.add(r.upstream);
    else if (file.startsWith('seg-')) by.segment.add(r.upstream);
  }
  return by;
}

test('hls.js (LL-HLS and standard) plays a stream published to A through a round-robin nginx over A, B and C', async () => {
  const src = lb!.url('/hls/lb/index.m3u8');
  // LL-HLS (hls.js's default) loads parts near the live edge; the standard player loads whole segments.
  const pages = { 'LL-HLS': await browser!.open(src, true), standard: await browser!.open(src, false) };
  for (const page of Object.values(pages)) await watchPlaylists(page);
  const first: Record<string, PlayerState> = {};
  for (const [name, page] of Object.entries(pages)) {
    first[name] = await waitFor(`${name} playback starts`, async () => {
      const s = await browser!.state(page);
      noFatal(s, name);
      return s.currentTime > 0 ? s : undefined;
    }, 30_000, 200);
  }
  const end = Date.now() + PLAY_MS;
  while (Date.now() < end) {
    for (const [name, page] of Object.entries(pages)) noFatal(await browser!.state(page), name);
    await sleep(500);
  }
  for (const [name, page] of Object.entries(pages)) {
    const s = await browser!.state(page);
    noFatal(s, name);
    // 12 s of wall clock: most of it played (a stall or a restart of the playlist would cost seconds).
    assert.ok(s.currentTime >= first[name]!.currentTime + (PLAY_MS / 1000) * 0.7, `${name}: currentTime ${first[name]!.currentTime} -> ${s.currentTime}`);
    const ranges = await loaded(page);
    assert.ok(ranges.length >= 10, `${name}: ${ranges.length} playlists loaded`);
    // One media sequence, never going back: each load starts and ends at or after the one before.
    for (let i = 1; i < ranges.length; i++) {
      const [prev, cur] = [ranges[i - 1]!, ranges[i]!];
      assert.ok(cur[0]! >= prev[0]! && cur[1]! >= prev[1]!, `${name}: playlist ${i} went back: [${prev.join()}] -> [${cur.join()}] (${JSON.stringify(ranges)})`);
    }
  }
  for (const page of Object.values(pages)) await page.close();

  // The load balancer really spread the player's requests: every kind of request was answered by each of the three nodes.
  // (nginx's readiness probe at / is not the player's.)
  const requests = lb!.requests().filter((r) => r.uri.startsWith('/hls/'));
  // (Parts and segments together: nginx's one round-robin counter over both pages' requests can keep landing the
  // standard player's few segment requests on the same two nodes, seen once in 172 requests.)
  const by = servedBy(requests);
  const media = new Set([...by.part, ...by.segment]);
  assert.equal(by.playlist.size, 3, `playlist requests served by ${[...by.playlist].join(', ')} (of ${requests.length} requests)`);
  assert.equal(media.size, 3, `part and segment requests served by ${[...media].join(', ')} (of ${requests.length} requests)`);
  assert.ok(by.segment.size >= 2, `segment requests served by ${[...by.segment].join(', ')} (of ${requests.length} requests)`);
  // And never refused: every name in a playlist from one node is served by the others (304: the browser's cached
  // copy from one node is current by another node's ETag; 499: a blocking reload the closed page left waiting).
  const refused = requests.filter((r) => r.status !== 200 && r.status !== 304 && r.status !== 499);
  assert.deepEqual(refused, [], `refused through the load balancer: ${JSON.stringify(refused.slice(0, 10))}`);
});
