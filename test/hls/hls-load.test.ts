import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMediaPlaylist } from '../../src/formats/m3u8/index.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { waitFor } from '../support/proc.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ 'log-level': 'info' });
});
after(async () => {
  await server.close();
});

const CLIENTS = 200;
const ROUNDS = 5;

test('200 concurrent players (playlist + newest segment, 5 rounds each): every answer 200 (or 404 for a segment no longer listed), memory reported', async (t) => {
  const pub = await ffmpegPublish(server.rtmpUrl('load'), 'av.flv');
  try {
    await waitFor('live', () => server.hub.stream('live/load')?.isActive, 20_000);
    await fetch(server.httpUrl('/hls/load/index.m3u8'));
    const rssBefore = process.memoryUsage().rss;
    const statuses = new Map<number, number>();
    let bytes = 0;
    let expired = 0;
    const count = (s: number): void => void statuses.set(s, (statuses.get(s) ?? 0) + 1);
    const player = async (): Promise<void> => {
      for (let r = 0; r < ROUNDS; r++) {
        const pl = await fetch(server.httpUrl('/hls/load/src/media.m3u8'));
        count(pl.status);
        const p = parseMediaPlaylist(await pl.text());
        const uri = p.segments[p.segments.length - 1]!.uri;
        const seg = await fetch(server.httpUrl(`/hls/load/src/${uri}`));
        const body = await seg.arrayBuffer();
        if (seg.status === 404) {
          // On a starved machine a queued request can outlive the live window: a 404 is right only when
          // the segment has left the playlist by then.
          const now = parseMediaPlaylist(await (await fetch(server.httpUrl('/hls/load/src/media.m3u8'))).text());
          assert.ok(!now.segments.some((s) => s.uri === uri), `${uri} answered 404 while still listed`);
          expired++;
          continue;
        }
        count(seg.status);
        bytes += body.byteLength;
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CLIENTS }, player));
    const rssAfter = process.memoryUsage().rss;
    assert.deepEqual([...statuses.keys()], [200], `statuses ${JSON.stringify([...statuses])}`);
    assert.equal(statuses.get(200), CLIENTS * ROUNDS * 2 - expired);
    assert.ok(expired < CLIENTS * ROUNDS / 10, `${expired} segments had left the window before they were served`);
    t.diagnostic(`${CLIENTS * ROUNDS * 2} requests, ${(bytes / 1e6).toFixed(1)} MB in ${Date.now() - started} ms, ${expired} segments expired before served; rss ${(rssBefore / 1e6).toFixed(0)} -> ${(rssAfter / 1e6).toFixed(0)} MB (server and clients share this process)`);
  } finally {
    await pub.kill();
  }
});
