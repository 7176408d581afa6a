import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import type { ClipName } from '../support/media.js';
import { type Proc, waitFor } from '../support/proc.js';
import { launchChromium } from '../../support/chromium.js';

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;
const publishers: Proc[] = [];
/** Screenshots for a human look; .test-tmp is not committed. */
const shots = resolve(import.meta.dirname, '../../.test-tmp/screenshots');

before(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await Promise.all(publishers.map((p) => p.kill()));
  await server?.close();
});

async function publish(name: string, clipName: ClipName = 'av.flv'): Promise<void> {
  publishers.push(await ffmpegPublish(server.rtmpUrl(name), clipName));
  await waitFor(`${name} active`, () => server.hub.stream(`live/${name}`)?.isActive, 20_000);
}

interface PageState { player: string; errors: string[]; latency: number | null }
/** The slice of the browser's globals these checks read (this project's TypeScript has no DOM types). */
type BrowserGlobals = { __onair?: PageState; document: { querySelector(s: string): { currentTime: number } | null } };
/** Functions, not strings, for page-side checks: the page's CSP forbids eval. */
const playedSeconds = (): number => (globalThis as unknown as BrowserGlobals).document.querySelector('video')?.currentTime ?? 0;
const pageState = (): PageState | undefined => (globalThis as unknown as BrowserGlobals).__onair;

/**
 * Opens the watch page and waits (bounded) until the video has played `seconds` of media; fails on a
 * player error. Also checks that every request the page made went to this server.
 */
async function watch(path: string, seconds = 2): Promise<{ page: Page; state: PageState; requests: string[] }> {
  const page = await browser.context.newPage();
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('websocket', (ws) => requests.push(ws.url()));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const res = await page.goto(server.httpUrl(path), { timeout: 15_000 });
  assert.equal(res?.status(), 200);
  let played = 0;
  try {
    await page.waitForFunction((want) => {
      const g = globalThis as unknown as BrowserGlobals;
      return (g.__onair?.errors.length ?? 0) > 0 || (g.document.querySelector('video')?.currentTime ?? 0) >= want;
    }, seconds + 0.5, { timeout: 25_000, polling: 100 });
    played = await page.evaluate(playedSeconds);
  } catch (err) {
    const st = await page.evaluate(pageState).catch(() => undefined);
    throw new Error(`${path}: video did not play (${String(err)}); page state ${JSON.stringify(st)}; console ${consoleErrors.join(' | ')}`);
  }
  const state = (await page.evaluate(pageState))!;
  assert.deepEqual(state.errors, [], `${path}: player errors`);
  assert.ok(played >= seconds, `${path}: currentTime ${played}`);
  const origin = server.httpUrl('');
  const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith(origin.replace('http', 'ws')) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, [], 'every request goes to this server');
  return { page, state, requests };
}

/** The page's player reports a latency (it is playing live), and a screenshot of it is kept as a test artifact. */
async function showsLatency(page: Awaited<ReturnType<typeof watch>>['page'], shot: string): Promise<void> {
  // A bound, not an expectation: the page measures twice a second, chromium on a loaded machine later than that.
  await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).__onair?.latency != null, undefined, { timeout: 15_000 });
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, shot) });
}

/**
 * Side by side, a stream and a page each on the one server and browser: each mostly waits for its player to play
 * two seconds of media, and one after another they took ~28 s of the suite.
 */
describe('the watch page', { concurrency: true }, () => {
  test('the watch page plays HTTP-FLV with mpegts.js served by this server', async () => {
    await publish('cam');
    const { page, requests } = await watch('/watch/cam?player=flv', 2);
    assert.ok(requests.some((u) => u.endsWith('/static/player/mpegts.js')));
    assert.ok(requests.some((u) => u.includes('/live/cam.flv')));
    await showsLatency(page, 'watch-flv.png');
    assert.match(await page.textContent('#status') ?? '', /playing|buffering/);
    await page.close();
  });

  test('mpegts.js plays WS-FLV', async () => {
    await publish('wscam');
    const { page, requests } = await watch('/watch/wscam?player=ws-flv', 2);
    assert.equal(requests.filter((u) => u.includes('/live/wscam.flv')).length, 1, 'only the WebSocket carries media');
    assert.ok(requests.some((u) => u.startsWith('ws://') && u.includes('/ws/live/wscam.flv')));
    await page.close();
  });

  test('mpegts.js plays audio-only and video-only HTTP-FLV streams', async () => {
    await publish('aonly', 'audio-only.flv');
    await publish('vonly', 'video-only.flv');
    for (const path of ['/watch/aonly?player=flv', '/watch/vonly?player=flv']) {
      const { page } = await watch(path, 2);
      await page.close();
    }
  });

  test('the watch page plays LL-HLS with hls.js by default and shows the latency', async () => {
    await publish('hlscam');
    const { page, requests } = await watch('/watch/hlscam', 2);
    assert.ok(requests.some((u) => u.endsWith('/static/player/hls.min.js')));
    assert.ok(requests.some((u) => u.includes('/hls/hlscam/index.m3u8')));
    await showsLatency(page, 'watch-hls.png');
    await page.close();
  });

  test('the watch page serves hls.js locally with low-latency mode and escapes what it echoes', async () => {
    const res = await fetch(server.httpUrl('/watch/some-stream'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await res.text();
    assert.match(html, /src="\/static\/player\/hls\.min\.js"/);
    assert.doesNotMatch(html, /https?:\/\//, 'no CDN or other origin');
    const js = await fetch(server.httpUrl('/static/player/watch.js')).then((r) => r.text());
    assert.match(js, /lowLatencyMode: true/);
    // Its transmuxer in the page's thread: no segment-boundary stall (README, "Known player bug"; bench/hls-part-race.ts).
    assert.match(js, /enableWorker: false/);
    for (const asset of ['/static/player/hls.min.js', '/static/player/mpegts.js']) {
      const r = await fetch(server.httpUrl(asset));
      assert.equal(r.status, 200, asset);
      assert.match(r.headers.get('content-type') ?? '', /javascript/);
      assert.ok((await r.arrayBuffer()).byteLength > 100_000, asset);
    }
    // Hostile ids are refused; a hostile ?player falls back to HLS and is never echoed.
    assert.equal((await fetch(server.httpUrl('/watch/%3Cscript%3E'))).status, 404);
    const odd = await fetch(server.httpUrl('/watch/cam?player=%22%3E%3Cscript%3Ealert(1)%3C/script%3E')).then((r) => r.text());
    assert.doesNotMatch(odd, /<script>alert/);
    assert.match(odd, /data-player="hls"/);
  });
});
