/**
 * The viewer load client of bench/hls-viewers.ts against a real OnAir with ffmpeg publishing: every mode speaks
 * OnAir's HLS, LL-HLS and HTTP-FLV without a failed request, and the side load gets 404s for unknown ids while
 * /healthz answers. Correctness only: how fast is the benchmark's business.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ViewerCrowd, type CrowdOptions } from '../../bench/lib/http/viewer-crowd.js';
import type { WindowReport } from '../../bench/lib/http/viewers-protocol.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { waitFor, type Proc } from '../support/proc.js';

let server: TestServer;
let publisher: Proc;
const VIEWERS = 3;

before(async () => {
  server = await startTestServer({ 'log-level': 'warn' });
  publisher = await ffmpegPublish(server.rtmpUrl('crowd'), 'av.flv');
  await waitFor('a playable stream', async () => (await fetch(server.httpUrl('/hls/crowd/index.m3u8'))).ok, 30_000, 200);
});
after(async () => {
  await publisher.kill();
  await server.close();
});

/** A crowd of VIEWERS from now until `done` holds for it; its window report. */
async function crowdUntil(options: Partial<CrowdOptions> & Pick<CrowdOptions, 'mode' | 'path'>, done: (c: ViewerCrowd) => boolean): Promise<WindowReport> {
  const crowd = new ViewerCrowd({
    host: '127.0.0.1', port: server.ports.http, viewers: VIEWERS, rampMs: 0, skip: true, preloadHints: false, referenceBytesPerSec: 1, ...options,
  });
  crowd.start();
  crowd.windowStart();
  try {
    await waitFor(`${options.mode} viewers`, () => done(crowd), 30_000, 100);
    return crowd.windowEnd();
  } finally {
    crowd.stop();
  }
}

const everyViewer = (c: ViewerCrowd, f: (requests: number, media: number) => boolean): boolean => c.viewers.every((v) => f(v.counters.requests, v.counters.mediaBytes));

test('LL-HLS viewers: blocking reloads and parts, no failed request, a lag sample per part', async () => {
  const r = await crowdUntil({ mode: 'llhls', path: '/hls/crowd/src/media.m3u8' }, (c) => everyViewer(c, (requests) => requests >= 12));
  assert.deepEqual(r.errors, {});
  assert.equal(r.totals.protocolErrors, 0);
  assert.ok(r.perViewer.media.every((b) => b > 0), `media bytes ${r.perViewer.media}`);
  assert.ok(r.totals.playlistBytes > 0);
  assert.ok(r.partLagMs.n >= VIEWERS, `lag samples ${r.partLagMs.n}`);
  assert.ok(r.streamBytesPerSec > 1000, `stream rate ${r.streamBytesPerSec} B/s, from the parts`);
});

for (const playlist of ['media.m3u8', 'ts.m3u8']) {
  test(`segment viewers (${playlist}): segments fetched once each, no failed request`, async () => {
    const r = await crowdUntil({ mode: 'segments', path: `/hls/crowd/src/${playlist}` }, (c) => everyViewer(c, (requests, media) => requests >= 6 && media > 0));
    assert.deepEqual(r.errors, {});
    assert.ok(r.perViewer.media.every((b) => b > 0));
    assert.ok(r.streamBytesPerSec > 1000);
  });
}

test('HTTP-FLV viewers: one long response each, counted as it arrives', async () => {
  const r = await crowdUntil({ mode: 'flv', path: '/live/crowd.flv' }, (c) => everyViewer(c, (_requests, media) => media > 100_000));
  assert.deepEqual(r.errors, {});
  assert.deepEqual(r.perViewer.requests, [1, 1, 1]);
});

test('side load: unknown playback ids answered 404, /healthz probed meanwhile', async () => {
  const unknownIds = { rate: 50, unknownIdPath: '/hls/{id}/src/media.m3u8', healthzPath: '/healthz' };
  const crowd = new ViewerCrowd({ host: '127.0.0.1', port: server.ports.http, mode: 'segments', path: '/hls/crowd/src/media.m3u8', viewers: 0, rampMs: 0, skip: true, preloadHints: false, referenceBytesPerSec: 1, unknownIds });
  crowd.start();
  crowd.windowStart();
  let report: WindowReport;
  try {
    await waitFor('side load answers', () => {
      report = crowd.windowEnd();
      return (report.side!.answers['unknown-id 404'] ?? 0) >= 40 && report.side!.healthzMs.n >= 5;
    }, 30_000, 200);
  } finally {
    crowd.stop();
  }
  const side = report!.side!;
  assert.deepEqual(Object.keys(side.answers), ['unknown-id 404']);
  assert.ok(side.answers['unknown-id 404']! >= 40);
  assert.deepEqual(side.healthzFailures, {});
  assert.equal(side.dropped, 0);
});
