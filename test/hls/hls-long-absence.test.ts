import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { sleep, waitFor } from '../support/proc.js';
import { checkMediaPlaylist } from '../../src/formats/m3u8/index.js';
import { mediaPlaylist } from '../support/hls-http.js';
import { launchHlsBrowser, type HlsBrowser, type PlayerName, type PlayerState } from '../../support/hls-browser.js';
import type { Page } from 'playwright-core';

/**
 * A publisher away longer than the playlist window (4 segments of 1 s here, the absence ~9 s): the new session's
 * playlist writes the whole absence as EXT-X-GAP segments (absence-gaps.ts), beside the window's media, so the dates
 * run on without a jump. Without them Shaka Player (5.2) failed at the date jump (TypeError in
 * setProgramDateTimeRegionsFromIndex_, fatal). hls.js on one server played on either way (the old session's media is
 * still listed when the new one starts: its next MSN is there); where the old media is gone, after an owner move,
 * it parked before the playlist for good: test/cluster/owner-move-hls.test.ts.
 */
const skip = existsSync('/usr/bin/chromium') ? false : 'Debian chromium not installed';
const WINDOW = 4;
let server: TestServer;
let browser: HlsBrowser;
before(async () => {
  if (skip) return;
  server = await startTestServer({ 'log-level': 'info', 'reconnect-window-sec': 40, 'hls-window-segments': WINDOW });
  browser = await launchHlsBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function playing(page: Page, label: string, after: number, timeoutMs: number): Promise<PlayerState> {
  return waitFor(label, async () => {
    const s = await browser.state(page);
    assert.deepEqual(s.fatal, [], `fatal player errors: ${s.fatal.join(', ')}`);
    return s.currentTime > after ? s : undefined;
  }, timeoutMs, 200);
}

/**
 * The three players side by side, a stream and a page each on the one server and browser: each mostly waits (2 s of
 * play, the 9 s absence, 4 s of the new session), one after another they took ~57 s of the suite.
 */
describe('players through a publisher absence longer than the playlist window', { concurrency: true }, () => {
  for (const [player, ll] of [['hls.js', true], ['hls.js', false], ['shaka', true]] as [PlayerName, boolean][]) {
    test(`${player}${ll ? ' (LL-HLS)' : ''} plays on after a publisher absence longer than the playlist window`, { skip }, async () => {
      const name = `away-${player.replace('.', '')}-${ll ? 'll' : 'std'}`;
      let pub = await ffmpegPublish(server.rtmpUrl(name), 'av.flv');
      await waitFor('live', () => server.hub.stream(`live/${name}`)?.isActive, 20_000);
      const page = await browser.open(server.httpUrl(`/hls/${name}/index.m3u8`), ll, player);
      try {
        const s1 = await playing(page, 'playback starts', 0, 20_000);
        await playing(page, 'plays 2 s', s1.currentTime + 2, 20_000);
        await pub.kill();
        // Longer than the window: when the publisher is back, the player's position is older than any listed media.
        await sleep((2 * WINDOW + 1) * 1000);
        const stalled = await browser.state(page);
        pub = await ffmpegPublish(server.rtmpUrl(name), 'av.flv');
        // The new session's first segment: the absence before it is written as gaps, the dates go on without a jump.
        const p = await waitFor('the new session listed', async () => {
          const m = await mediaPlaylist(server, name);
          return m.segments.some((x) => x.discontinuity && !x.gap) ? m : undefined;
        }, 30_000, 200);
        assert.deepEqual(checkMediaPlaylist(p), []);
        const gaps = p.segments.filter((x) => x.gap).length;
        assert.ok(gaps > WINDOW, `${gaps} EXT-X-GAP segments for the absence, beyond the ${WINDOW}-segment window`);
        for (let i = 1; i < p.segments.length; i++) {
          const [a, b] = [p.segments[i - 1]!, p.segments[i]!];
          assert.ok(Math.abs(b.programDateTime! - (a.programDateTime! + a.duration * 1000)) < 2, `dates of ${i - 1} and ${i}`);
        }
        const s = await playing(page, 'plays 4 s of the new session', stalled.currentTime + 4, 30_000);
        assert.ok(s.decoded > 0);
      } finally {
        await page.close();
        await pub.kill();
      }
    });
  }
});
