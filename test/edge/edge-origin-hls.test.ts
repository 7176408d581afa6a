import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { parseMediaPlaylist } from '../../src/formats/m3u8/index.js';
import { ffmpegPublish, ffmpegRecord } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { waitFor, type Proc } from '../support/proc.js';

/**
 * A plain edge in front of one origin (`--edge-origin`) proxies HLS when it also knows the origin's HTTP base
 * (`--edge-origin-http`): its playlists are the origin's, byte for byte in names, and no RTMP pull is started.
 * Without it (edge `c`) the edge packages locally, as before: its names are its own.
 * Edge `b` does not package its RTMP pulls (the default since edges proxy the owner's HLS), edge `e` is told to
 * (--edge-hls-package-pulls); edge `d` knows the origin's HTTP base but is told `--edge-hls local`: it packages locally too.
 */
const SECRET = 'edge-origin-hls-secret-0123456789';
let a: TestServer;
let b: TestServer;
let c: TestServer;
let d: TestServer;
let e: TestServer;
let pub: Proc;

before(async () => {
  a = await startTestServer({ 'cluster-secret': SECRET, 'hls-segment-ms': 1000, 'hls-part-ms': 250 });
  const origin = { 'cluster-secret': SECRET, 'edge-origin': `rtmp://127.0.0.1:${a.ports.rtmp}`, 'edge-start-timeout-ms': 4000 };
  const http = { 'edge-origin-http': `http://127.0.0.1:${a.ports.http}` };
  [b, c, d, e] = await Promise.all([
    startTestServer({ ...origin, ...http }), startTestServer(origin), startTestServer({ ...origin, ...http, 'edge-hls': 'local' }),
    startTestServer({ ...origin, ...http, 'edge-hls-package-pulls': 'true' }),
  ]);
  pub = await ffmpegPublish(a.rtmpUrl('cam'));
  await waitFor('live on A', () => a.hub.stream('live/cam')?.isActive, 20_000);
});
after(async () => {
  await pub?.kill('SIGKILL');
  await Promise.all([b?.close(), c?.close(), d?.close(), e?.close()]);
  await a?.close();
});

async function uris(server: TestServer): Promise<string[]> {
  return waitFor('a playlist with segments', async () => {
    const res = await fetch(server.httpUrl('/hls/cam/src/media.m3u8'));
    if (res.status !== 200) return undefined;
    const p = parseMediaPlaylist(await res.text());
    return p.segments.length >= 2 ? p.segments.map((s) => s.uri) : undefined;
  }, 20_000, 200);
}

test('--edge-origin-http: the edge\'s playlist names the origin\'s segments, and the edge serves them', async () => {
  const [onA, onB] = await Promise.all([uris(a), uris(b)]);
  assert.ok(onB.some((u) => onA.includes(u)), `B lists A's segments: ${onB.join()} / ${onA.join()}`);
  const seg = await fetch(b.httpUrl(`/hls/cam/src/${onB[onB.length - 1]}`));
  assert.equal(seg.status, 200);
  assert.ok(!b.edge!.pulling.includes('live/cam'), 'no RTMP pull for HLS on B');
  // The edge without the origin's HTTP base packages locally: its own instance tag in every name.
  const onC = await uris(c);
  assert.ok(onC.every((u) => !onA.includes(u)), `C's names are its own: ${onC.join()}`);
  assert.ok(c.edge!.pulling.includes('live/cam'));
});

/** Subscribers of the pulled stream on an edge: the RTMP viewer, plus the HLS packager when there is one. */
async function subscribersWhilePlaying(edge: TestServer): Promise<{ subscribers: number; playlist: number }> {
  const viewer = ffmpegRecord(edge.rtmpUrl('cam'), tmpFile('edge-origin-hls-rtmp.flv'), 6);
  try {
    await waitFor('the RTMP pull live on the edge', () => edge.hub.stream('live/cam')?.isActive && edge.hub.stream('live/cam')!.subscriberCount >= 1, 20_000, 100);
    // The packager, when made, subscribes in the same turn as the pull's publish: a settled count.
    await new Promise((r) => setTimeout(r, 500));
    const subscribers = edge.hub.stream('live/cam')!.subscriberCount;
    const playlist = (await fetch(edge.httpUrl('/hls/cam/src/media.m3u8'))).status;
    return { subscribers, playlist };
  } finally {
    await viewer.kill('SIGKILL').catch(() => {});
  }
}

test('--edge-hls proxy: an RTMP viewer\'s pull is not packaged for HLS on the edge by default (HLS is the origin\'s); --edge-hls-package-pulls and --edge-hls local package it', async () => {
  const proxied = await subscribersWhilePlaying(b);
  assert.ok(b.edge!.pulling.includes('live/cam'), 'B pulls for its RTMP viewer');
  assert.deepEqual(proxied, { subscribers: 1, playlist: 200 }, 'B: the viewer only, and HLS still answered (from A)');
  const optedIn = await subscribersWhilePlaying(e);
  assert.deepEqual(optedIn, { subscribers: 2, playlist: 200 }, 'E (--edge-hls-package-pulls): the viewer and its HLS packager');
  const local = await subscribersWhilePlaying(d);
  assert.deepEqual(local, { subscribers: 2, playlist: 200 }, 'D: the viewer and its HLS packager');
  // D's names are its own (packaged here), B's are A's.
  const [onA, onB, onD, onE] = await Promise.all([uris(a), uris(b), uris(d), uris(e)]);
  assert.ok(onB.some((u) => onA.includes(u)) && onD.every((u) => !onA.includes(u)), `${onA.join()} / ${onB.join()} / ${onD.join()}`);
  // E packages its pull but still serves the origin's HLS (the packager serves no request).
  assert.ok(onE.some((u) => onA.includes(u)), `${onA.join()} / ${onE.join()}`);
});
