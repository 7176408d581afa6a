import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { deferLastSegment, startRaceProxy } from '../../support/llhls-race-proxy.js';

/** The race proxy of bench/hls-part-race.ts against a scripted upstream (its playlists and one part). */

const head = ['#EXTM3U', '#EXT-X-VERSION:9', '#EXT-X-TARGETDURATION:1', '#EXT-X-PART-INF:PART-TARGET=0.21', '#EXT-X-MEDIA-SEQUENCE:1', '#EXT-X-MAP:URI="init.mp4"'];
const seg1 = ['#EXT-X-PART:DURATION=0.2,URI="part-1-0.m4s",INDEPENDENT=YES', '#EXT-X-PART:DURATION=0.2,URI="part-1-1.m4s"', '#EXTINF:0.400,', 'seg-1.m4s'];
const open2 = ['#EXT-X-PART:DURATION=0.2,URI="part-2-0.m4s",INDEPENDENT=YES', '#EXT-X-PART:DURATION=0.2,URI="part-2-1.m4s"'];
const text = (...l: string[]): string => `${[...head, ...l].join('\n')}\n`;
/** Segment 2 in progress, its newest part 2.1. */
const V1 = text(...seg1, ...open2, '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-2-2.m4s"');
/** Segment 2 completed by its last part 2.2; no part of segment 3 yet. */
const COMPLETING = text(...seg1, ...open2, '#EXT-X-PART:DURATION=0.2,URI="part-2-2.m4s"', '#EXTINF:0.600,', 'seg-2.m4s', '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-3-0.m4s"');
/** Segment 2 still in progress with one more part. */
const GROWING = text(...seg1, ...open2, '#EXT-X-PART:DURATION=0.2,URI="part-2-2.m4s"', '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-2-3.m4s"');

async function upstream(next: string): Promise<{ server: Server; url: string; release(): void }> {
  let release = (): void => {};
  const released = new Promise<void>((r) => (release = r));
  const server = createServer((req, res) => {
    if (req.url === '/media.m3u8') res.end(V1);
    else if (req.url?.startsWith('/media.m3u8?')) void released.then(() => res.end(next));
    else if (req.url === '/part-2-1.m4s') res.end(Buffer.alloc(100, 1));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, release };
}

/** Fetches the newest part and the blocking reload through the proxy at once; which answer came first. */
async function partAndReload(next: string): Promise<{ order: string[]; playlist: string; races: number }> {
  const up = await upstream(next);
  const proxy = await startRaceProxy(up.url, { raceDelayMs: 300 });
  try {
    assert.equal(await (await fetch(`${proxy.url}/media.m3u8`)).text(), V1);
    const order: string[] = [];
    const part = fetch(`${proxy.url}/part-2-1.m4s`).then(async (r) => (await r.arrayBuffer(), order.push('part')));
    const reload = fetch(`${proxy.url}/media.m3u8?_HLS_msn=2&_HLS_part=2`).then(async (r) => {
      const t = await r.text();
      order.push('playlist');
      return t;
    });
    await new Promise((r) => setTimeout(r, 100)); // both requests reach the proxy; the part is held there
    assert.deepEqual(order, [], 'the newest part of a segment in progress is held until the next playlist');
    up.release();
    const [, playlist] = await Promise.all([part, reload]);
    return { order, playlist, races: proxy.races.length };
  } finally {
    await proxy.close();
    up.server.closeAllConnections();
    await new Promise<void>((r) => up.server.close(() => r()));
  }
}

test('the playlist completing the held part\'s segment is sent after the part, and the race recorded', async () => {
  const r = await partAndReload(COMPLETING);
  assert.deepEqual(r.order, ['part', 'playlist']);
  assert.equal(r.playlist, COMPLETING);
  assert.equal(r.races, 1);
});

test('a playlist that leaves the segment in progress releases the part with no race', async () => {
  const r = await partAndReload(GROWING);
  assert.equal(r.order[0], 'part');
  assert.equal(r.playlist, GROWING);
  assert.equal(r.races, 0);
});

test('deferLastSegment shows a segment completed with no next part yet as still in progress, and nothing else', () => {
  assert.equal(deferLastSegment(COMPLETING), text(...seg1, ...open2, '#EXT-X-PART:DURATION=0.2,URI="part-2-2.m4s"', '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-3-0.m4s"'));
  const withNext = text(...seg1, ...open2, '#EXT-X-PART:DURATION=0.2,URI="part-2-2.m4s"', '#EXTINF:0.600,', 'seg-2.m4s', '#EXT-X-PART:DURATION=0.2,URI="part-3-0.m4s",INDEPENDENT=YES', '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-3-1.m4s"');
  assert.equal(deferLastSegment(withNext), withNext);
  assert.equal(deferLastSegment(V1), V1);
  const noParts = text('#EXTINF:1.000,', 'seg-1.m4s');
  assert.equal(deferLastSegment(noParts), noParts);
});
