import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { launchHlsBrowser, type HlsBrowser, type PlayerName, type PlayerState } from '../../support/hls-browser.js';
import { ffmpegPublish } from '../support/clients.js';
import { sleep, waitFor } from '../support/proc.js';

/**
 * LL-HLS players other than hls.js: Shaka Player (lowLatencyMode) and hls.js side by side on one stream, through
 * a publisher that is killed hard and comes back inside the reconnect window. Both must keep playing with no
 * fatal error (before EXT-X-GAP segments stood for the absence, Shaka threw a TypeError in its PROGRAM-DATE-TIME
 * handling and froze).
 */
const skip = existsSync('/usr/bin/chromium') ? false : 'Debian chromium not installed';
let server: TestServer;
let browser: HlsBrowser;
before(async () => {
  if (skip) return;
  server = await startTestServer({ 'log-level': 'warn', 'reconnect-window-sec': 20 });
  browser = await launchHlsBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

function noFatal(name: PlayerName, s: PlayerState): void {
  assert.deepEqual(s.fatal, [], `${name} fatal errors: ${s.fatal.join(' | ')}; errors: ${s.errors.join(' | ')}`);
}

/** Waits until the player's currentTime is `seconds` past `from` (or past its first playing value). */
async function advances(name: PlayerName, page: Page, seconds: number, from?: number): Promise<PlayerState> {
  const start = from ?? (await waitFor(`${name} starts`, async () => {
    const s = await browser.state(page);
    noFatal(name, s);
    return s.currentTime > 0 ? s : undefined;
  }, 30_000, 200)).currentTime;
  return waitFor(`${name} currentTime +${seconds} s`, async () => {
    const s = await browser.state(page);
    noFatal(name, s);
    return s.currentTime >= start + seconds ? s : undefined;
  }, (seconds + 30) * 1000, 200);
}

test('Shaka Player and hls.js (low-latency mode) play LL-HLS through a hard publisher kill and reconnect', { skip }, async () => {
  let pub = await ffmpegPublish(server.rtmpUrl('shaka'), 'av.flv');
  const pages = new Map<PlayerName, Page>();
  try {
    await waitFor('live', () => server.hub.stream('live/shaka')?.isActive, 20_000);
    for (const name of ['shaka', 'hls.js'] as const) pages.set(name, await browser.open(server.httpUrl('/hls/shaka/index.m3u8'), true, name));
    for (const [name, page] of pages) await advances(name, page, 2);
    await pub.kill('SIGKILL');
    await sleep(1500);
    pub = await ffmpegPublish(server.rtmpUrl('shaka'), 'av.flv');
    const before = new Map<PlayerName, number>();
    for (const [name, page] of pages) before.set(name, (await browser.state(page)).currentTime);
    // Well past what was buffered before the kill: both play the new session's media.
    for (const [name, page] of pages) {
      const s = await advances(name, page, 6, before.get(name));
      assert.ok(s.decoded > 100, `${name}: ${s.decoded} frames decoded`);
      assert.ok(!s.paused, `${name} paused`);
    }
  } finally {
    for (const page of pages.values()) await page.close();
    await pub.kill();
  }
});
