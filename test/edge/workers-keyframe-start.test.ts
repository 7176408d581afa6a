import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchHlsBrowser, type PlayerState } from '../../support/hls-browser.js';
import { sleep, waitFor, type Proc } from '../support/proc.js';
import { rawGet } from '../support/raw-http.js';
import { publishToWorkers, startWorkersServer, type WorkersServer } from '../support/workers-server.js';
import { startPoint } from '../../src/protocols/hls/testing/live-rendition.js';
import { assertKeyframeStart } from '../support/keyframe-start.js';

/**
 * `--workers 2 --latency-mode lowest` (the keyframe start always on, README "Starting on a keyframe"): a new viewer on
 * the worker that does not own the stream is answered from that worker's copy of the owner's answers, and its first
 * media playlist still puts a player starting PART-HOLD-BACK behind the newest part inside an INDEPENDENT part (the
 * owner held the copy's request for it). Answered at once, the start point lands in one (of ~9 parts per 1 s GOP)
 * about one time in eight. The viewers: hls.js (low-latency mode) in Chromium, then plain HTTP clients told apart by
 * their user agent; all on that worker's own port.
 */
const skipBrowser = existsSync('/usr/bin/chromium') ? false : 'Debian chromium not installed';
const API_TOKEN = 'workers-keyframe-token-0123456789';
let server: WorkersServer;
let pub: Proc | undefined;
let playbackId = '';
/** The internal HTTP port of the worker that does not own the stream. */
let otherPort = 0;

before(async () => {
  server = await startWorkersServer(API_TOKEN, ['--latency-mode', 'lowest']);
  const stream = await server.api<{ playbackId: string; streamKey: string }>('POST', '/streams', {});
  playbackId = stream.playbackId;
  const published = await publishToWorkers(server, stream.streamKey);
  pub = published.pub;
  otherPort = published.other.internal!.http;
  await waitFor('the other worker serving the stream', async () => (await playlist('warm-up')).status === 200, 30_000, 250);
});
after(async () => {
  await server?.close([pub]);
});

/** The source's media playlist without directives, asked of the other worker by viewer `userAgent`. */
const playlist = (userAgent: string) => rawGet(otherPort, `/hls/${playbackId}/src/media.m3u8`, `User-Agent: ${userAgent}\r\n`);

/** As test/hls/llhls-players.test.ts checks it on one process. */
test('--workers 2, lowest: hls.js on the worker that does not own the stream starts inside a keyframe part and plays', { skip: skipBrowser }, async () => {
  const browser = await launchHlsBrowser();
  let page: Page | undefined;
  try {
    page = await browser.open(`http://127.0.0.1:${otherPort}/hls/${playbackId}/index.m3u8`, true, 'hls.js', { timeline: true });
    const playing = async (from: number): Promise<PlayerState | undefined> => {
      const s = await browser.state(page!);
      assert.deepEqual(s.fatal, [], s.errors.join(' | '));
      return s.currentTime > from ? s : undefined;
    };
    const start = (await waitFor('hls.js starts', () => playing(0), 30_000, 200)).currentTime;
    const played = await waitFor('hls.js plays 2 s', () => playing(start + 2), 30_000, 200);
    assert.ok(played.decoded > 20, `${played.decoded} frames decoded`);
    await assertKeyframeStart(browser, page);
  } finally {
    await page?.close();
    await browser.close();
  }
});

test('--workers 2, lowest: new viewers on the worker that does not own the stream get a first playlist that starts them in a keyframe part', async () => {
  for (let i = 1; i <= 4; i++) {
    const res = await playlist(`new-viewer/${i}`);
    assert.equal(res.status, 200, res.headers);
    const text = res.body.toString();
    assert.match(text, /#EXT-X-PART:/, 'an LL-HLS playlist');
    assert.equal(startPoint(text).independent, true, `viewer ${i}: the start point is in an INDEPENDENT part:\n${text.split('\n').slice(-14).join('\n')}`);
    // Past the copy's 250 ms: the next new viewer's playlist is asked of the owner again, not the one kept.
    await sleep(300);
  }
});
