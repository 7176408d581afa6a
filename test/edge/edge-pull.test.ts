import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts, ffprobeStreams } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { freePort } from '../../support/free-port.js';
import { run, waitFor, type Proc } from '../support/proc.js';
import { rtmpPlayOutcome } from '../support/rtmp-play.js';
import { EDGE_TOKEN_PARAM, PULL_SUBSCRIBER_PROTOCOL, signEdgeToken } from '../../src/services/edge/index.js';
import { ffmpegViewer } from '../support/playback-viewers.js';

/**
 * Two OnAir servers on loopback: A owns the stream (ffmpeg publishes there), B is an edge whose static locator
 * (--edge-origin) points at A. Viewers on B get the stream through ONE internal RTMP pull, HLS packaged on B.
 */
const SECRET = 'edge-test-secret-0123456789abcdef';
const GRACE_MS = 1500;
let a: TestServer;
let b: TestServer;
let pub: Proc;

before(async () => {
  // Started side by side (a first start takes seconds): A's RTMP port is chosen up front for B's origin.
  const aRtmp = await freePort();
  [a, b] = await Promise.all([startTestServer({ 'cluster-secret': SECRET, 'rtmp-port': aRtmp }), startTestServer({
    'cluster-secret': SECRET, 'edge-origin': `rtmp://127.0.0.1:${aRtmp}`, 'edge-grace-ms': GRACE_MS, 'edge-start-timeout-ms': 4000,
    'hls-segment-ms': 500, 'hls-part-ms': 200,
  })]);
  pub = await ffmpegPublish(a.rtmpUrl('cam'));
  await waitFor('the stream live on A', () => a.hub.stream('live/cam')?.isActive);
});
after(async () => {
  await pub?.kill('SIGKILL');
  await b?.close();
  await a?.close();
});

/** Plays `url` with ffmpeg into a file for `seconds`; resolves with the exit code and frame counts. */
async function play(url: string, seconds: number, format: string[] = []): Promise<{ code: number | null; video: number; audio: number }> {
  const out = tmpFile('edge.flv');
  const p = format.length ? run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...format, '-i', url, '-t', String(seconds), '-c', 'copy', '-f', 'flv', out], { timeoutMs: 40_000 })
    : ffmpegRecord(url, out, seconds);
  const code = await p.exited;
  assert.equal(code, 0, p.stderr());
  return { code, ...(await ffprobeFrameCounts(out)) };
}

describe('edge pull', () => {
  test('RTMP players and HLS on B get the stream published to A, through one pull', async () => {
    const [r1, r2, hls] = await Promise.all([
      play(b.rtmpUrl('cam'), 3),
      play(b.rtmpUrl('cam'), 3),
      play(b.httpUrl('/hls/cam/index.m3u8'), 2),
    ]);
    // 25 fps with 48 kHz AAC: 3 s is 75 video frames; allow for the start at a keyframe and slow starts.
    for (const r of [r1, r2]) {
      assert.ok(r.video >= 60 && r.video <= 110, `video frames ${r.video}`);
      assert.ok(r.audio >= 100, `audio frames ${r.audio}`);
    }
    assert.ok(hls.video >= 40, `HLS video frames ${hls.video}`);
    assert.ok(hls.audio >= 60, `HLS audio frames ${hls.audio}`);
    const pullLogs = b.logs.filter((l) => l.includes('"edge pull starting"'));
    assert.equal(pullLogs.length, 1, 'one pull for every viewer of the stream on B');
    assert.ok(a.logs.every((l) => !l.includes(EDGE_TOKEN_PARAM) && !l.includes(SECRET)), 'no token or secret in A\'s logs');
    assert.ok(b.logs.every((l) => !l.includes(EDGE_TOKEN_PARAM) && !l.includes(SECRET)), 'no token or secret in B\'s logs');
  });

  test('HTTP-FLV on B is served from the pull too', async () => {
    const streams = await ffprobeStreams(b.httpUrl('/live/cam.flv'));
    assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  });

  test('the pull stops a grace period after the last viewer left', async () => {
    // The viewers above (and ffprobe) have left; the sweep stops the pull once the grace has passed.
    let leftAt = 0;
    const off = b.hub.events.on('unsubscribe', (e) => e.path === 'live/cam' && e.subscriber.protocol !== 'hls' && (leftAt = Date.now()));
    const p = play(b.rtmpUrl('cam'), 1);
    await waitFor('the pull', () => b.edge!.pulling.includes('live/cam'));
    await p;
    await waitFor('the player left', () => leftAt > 0);
    await waitFor('the pull stopped', () => !b.edge!.pulling.includes('live/cam'), 15_000);
    off();
    assert.ok(Date.now() - leftAt >= GRACE_MS - 50, `stopped ${Date.now() - leftAt} ms after the last viewer left (grace ${GRACE_MS})`);
    await waitFor('A sees the pull gone', () => a.rtmpConnections() === 1);
  });

  test('on A, B\'s pull is not a viewer: it subscribes as a pull, and A\'s health counts no viewer for B\'s players', async () => {
    const viewer = ffmpegViewer(b.rtmpUrl('cam'));
    try {
      const protocols = (): string[] => [...(a.hub.stream('live/cam')?.subscriptions() ?? [])].map((s) => s.info.protocol).filter((p) => p !== 'hls');
      await waitFor('B\'s pull subscribed on A', () => protocols().length > 0 && b.hub.stream('live/cam')?.subscriberCount);
      assert.deepEqual(protocols(), [PULL_SUBSCRIBER_PROTOCOL]);
      // Two health rounds on A after the pull subscribed.
      await new Promise((r) => setTimeout(r, 2_200));
      const res = await fetch(a.httpUrl('/api/v1/health'), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
      const list = (await res.json()) as { data: { path: string; viewers: number }[] };
      assert.equal(list.data.find((r) => r.path === 'live/cam')?.viewers, 0, `A's health list: ${JSON.stringify(list)}`);
    } finally {
      await viewer.kill('SIGKILL');
      // As the tests after this one expect it: no pull left.
      await waitFor('the pull stopped', () => !b.edge!.pulling.includes('live/cam'), 15_000);
      await waitFor('A sees the pull gone', () => a.rtmpConnections() === 1);
    }
  });

  test('a stream nobody publishes is not found on B', async () => {
    const p = run('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', b.rtmpUrl('nobody')], { timeoutMs: 30_000 });
    assert.notEqual(await p.exited, 0);
    const res = await fetch(b.httpUrl('/hls/nobody2/index.m3u8'));
    assert.equal(res.status, 404);
    assert.ok(b.logs.some((l) => l.includes('"edge pull stopped"') && l.includes('not live at the owner')));
  });
});

describe('internal pull tokens on the owner', () => {
  const playWith = (query: string): Promise<'played' | string> => rtmpPlayOutcome(`rtmp://127.0.0.1:${a.ports.rtmp}/live/cam?${query}`);

  test('a valid token plays; a wrong, expired or other stream\'s token is refused (no fall-back to open viewer auth)', async () => {
    assert.equal(await playWith(`${EDGE_TOKEN_PARAM}=${signEdgeToken(SECRET, 'live/cam')}`), 'played');
    const refused = [
      signEdgeToken('another-secret-0123456789abcdef', 'live/cam'),
      signEdgeToken(SECRET, 'live/cam', Math.floor(Date.now() / 1000) - 120),
      signEdgeToken(SECRET, 'live/other'),
      'garbage',
    ];
    for (const token of refused) assert.match(await playWith(`${EDGE_TOKEN_PARAM}=${token}`), /token refused|Unauthorized|Failed/i, token);
    assert.ok(a.logs.filter((l) => l.includes('"internal pull refused"')).length >= refused.length);
    assert.ok(a.logs.every((l) => !l.includes(refused[0]!.split('.')[1]!)), 'the refused token is not logged');
  });
});

describe('the owner\'s publisher leaves and comes back', () => {
  test('B\'s viewer ends cleanly with the owner\'s unpublish; a new publish plays on B again', async () => {
    const out = tmpFile('edge-unpublish.flv');
    const viewer = ffmpegRecord(b.rtmpUrl('cam'), out, 30);
    await waitFor('B relays', () => b.hub.stream('live/cam')?.isActive && b.hub.stream('live/cam')?.subscriberCount === 2);
    await pub.kill('SIGKILL');
    assert.equal(await viewer.exited, 0, viewer.stderr());
    assert.ok((await ffprobeFrameCounts(out)).video > 0);
    pub = await ffmpegPublish(a.rtmpUrl('cam'));
    // Live on A first: a viewer on B that came before the publish would be told "not found" (the owner has no such
    // stream), a race between two ffmpeg starts that a loaded machine can turn either way.
    await waitFor('the stream live on A again', () => a.hub.stream('live/cam')?.isActive, 20_000);
    const again = await play(b.rtmpUrl('cam'), 2);
    assert.ok(again.video >= 35, `frames after the new publish ${JSON.stringify(again)}`);
  });
});

describe('the owner goes away', () => {
  test('B\'s viewers end cleanly and the pull stops', async () => {
    const out = tmpFile('edge-owner-gone.flv');
    const viewer = ffmpegRecord(b.rtmpUrl('cam'), out, 30);
    await waitFor('B relays', () => b.hub.stream('live/cam')?.subscriberCount === 2 && b.hub.stream('live/cam')?.isActive);
    await a.close();
    assert.equal(await viewer.exited, 0, viewer.stderr());
    const frames = await ffprobeFrameCounts(out);
    assert.ok(frames.video > 0);
    await waitFor('the pull stopped', () => b.edge!.pulling.length === 0, 20_000);
  });
});
