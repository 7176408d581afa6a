import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { parseMediaPlaylist } from '../../src/formats/m3u8/index.js';
import { ffmpegPublish } from '../support/clients.js';
import { waitFor, type Proc } from '../support/proc.js';

/**
 * A plain edge in front of one origin (`--edge-origin`) proxies HLS when it also knows the origin's HTTP base
 * (`--edge-origin-http`): its playlists are the origin's, byte for byte in names, and no RTMP pull is started.
 * Without it (edge `c`) the edge packages locally, as before: its names are its own.
 */
const SECRET = 'edge-origin-hls-secret-0123456789';
let a: TestServer;
let b: TestServer;
let c: TestServer;
let pub: Proc;

before(async () => {
  a = await startTestServer({ 'cluster-secret': SECRET, 'hls-segment-ms': 1000, 'hls-part-ms': 250 });
  const origin = { 'cluster-secret': SECRET, 'edge-origin': `rtmp://127.0.0.1:${a.ports.rtmp}`, 'edge-start-timeout-ms': 4000 };
  [b, c] = await Promise.all([startTestServer({ ...origin, 'edge-origin-http': `http://127.0.0.1:${a.ports.http}` }), startTestServer(origin)]);
  pub = await ffmpegPublish(a.rtmpUrl('cam'));
  await waitFor('live on A', () => a.hub.stream('live/cam')?.isActive, 20_000);
});
after(async () => {
  await pub?.kill('SIGKILL');
  await Promise.all([b?.close(), c?.close()]);
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
