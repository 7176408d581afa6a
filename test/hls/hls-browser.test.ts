import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { sleep, waitFor } from '../support/proc.js';
import { launchHlsBrowser, type HlsBrowser, type PlayerState } from '../../support/hls-browser.js';
import type { Page } from 'playwright-core';

const skip = existsSync('/usr/bin/chromium') ? false : 'Debian chromium not installed';
let server: TestServer;
let browser: HlsBrowser;
before(async () => {
  if (skip) return;
  server = await startTestServer({ 'log-level': 'info', 'reconnect-window-sec': 20 });
  browser = await launchHlsBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Waits until the player's currentTime advanced `seconds` past its first playing value (bounded). */
async function advances(page: Page, seconds: number): Promise<PlayerState> {
  const start = await waitFor('playback starts', async () => {
    const s = await browser.state(page);
    assert.deepEqual(s.fatal, [], `fatal hls.js errors: ${s.fatal.join(', ')}`);
    return s.currentTime > 0 ? s : undefined;
  }, 20_000, 200);
  return waitFor(`currentTime +${seconds} s`, async () => {
    const s = await browser.state(page);
    assert.deepEqual(s.fatal, [], `fatal hls.js errors: ${s.fatal.join(', ')}`);
    return s.currentTime >= start.currentTime + seconds ? s : undefined;
  }, (seconds + 20) * 1000, 200);
}

/**
 * Side by side, a stream and a page each on the one server and browser: both mostly wait for hls.js to play
 * (and, in the second, for a publisher's reconnect); one after the other they took ~27 s of the suite.
 */
describe('hls.js in Chromium', { concurrency: true }, () => {
  test('hls.js plays LL-HLS fMP4 and MPEG-TS; H.264 frames are decoded', { skip }, async () => {
    const pub = await ffmpegPublish(server.rtmpUrl('web'), 'av.flv');
    try {
      await waitFor('live', () => server.hub.stream('live/web')?.isActive, 20_000);
      for (const [query, ll] of [['', true], ['?format=ts', false]] as const) {
        const page = await browser.open(server.httpUrl(`/hls/web/index.m3u8${query}`), ll);
        try {
          const s = await advances(page, 2);
          assert.ok(s.decoded > 25, `${query || 'LL-HLS'}: ${s.decoded} video frames decoded`);
        } finally {
          await page.close();
        }
      }
    } finally {
      await pub.kill();
    }
  });

  test('hls.js keeps playing across a publisher reconnect', { skip }, async () => {
    let pub = await ffmpegPublish(server.rtmpUrl('web2'), 'av.flv');
    await waitFor('live', () => server.hub.stream('live/web2')?.isActive, 20_000);
    const page = await browser.open(server.httpUrl('/hls/web2/index.m3u8'), true);
    try {
      await advances(page, 2);
      await pub.kill();
      await sleep(1000);
      pub = await ffmpegPublish(server.rtmpUrl('web2'), 'av.flv');
      const s0 = await browser.state(page);
      // Past the buffered media and the gap: playback must continue on the new session's segments.
      const s = await advances(page, 5);
      assert.ok(s.currentTime > s0.currentTime + 4, `currentTime ${s0.currentTime} -> ${s.currentTime}`);
    } finally {
      await page.close();
      await pub.kill();
    }
  });
});
