/**
 * The simulated viewers of the load client against a scripted HTTP server (node:http): the requests each kind of
 * viewer sends, in order, and what it counts. The real-server run is in http-viewers-onair.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlvViewer } from '../../bench/lib/http/flv-viewer.js';
import { LatencyProbe } from '../../bench/lib/http/latency-probe.js';
import { LlHlsViewer } from '../../bench/lib/http/llhls-viewer.js';
import { MediaObjects } from '../../bench/lib/http/media-objects.js';
import { PlaylistScanner } from '../../bench/lib/http/playlist-scan.js';
import { SampleSet } from '../../bench/lib/http/sample-set.js';
import { SegmentViewer } from '../../bench/lib/http/segment-viewer.js';
import type { Viewer, ViewerEnv } from '../../bench/lib/http/viewer.js';
import { waitFor } from '../support/proc.js';

type Route = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let port: number;
let route: Route = (_req, res) => res.writeHead(404).end();
const seen: { url: string; remotePort: number }[] = [];
/** Connections of earlier tests' viewers: a request they had in flight may still arrive after `seen` is reset. */
const earlierPorts = new Set<number>();
const PART_BYTES = 1000;
const SEGMENT_BYTES = 5000;

before(async () => {
  server = createServer((req, res) => {
    if (!earlierPorts.has(req.socket.remotePort!)) seen.push({ url: req.url!, remotePort: req.socket.remotePort! });
    route(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function env(path: string): ViewerEnv {
  const objects = new MediaObjects();
  return { target: { host: '127.0.0.1', port }, path, objects, scanner: new PlaylistScanner(objects, path), partLag: new SampleSet() };
}

/** An LL-HLS playlist: complete segments `from`..`to` with `perSegment` parts each, then `open` parts of segment to+1. */
function llhls(from: number, to: number, perSegment: number, open: number, hint = true): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:9', '#EXT-X-TARGETDURATION:1', '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.6,CAN-SKIP-UNTIL=6',
    '#EXT-X-PART-INF:PART-TARGET=0.24', `#EXT-X-MEDIA-SEQUENCE:${from}`, '#EXT-X-MAP:URI="init.mp4"'];
  const parts = (msn: number, n: number) => Array.from({ length: n }, (_, i) => `#EXT-X-PART:DURATION=0.2,URI="p-${msn}-${i}.m4s"${i === 0 ? ',INDEPENDENT=YES' : ''}`);
  for (let msn = from; msn <= to; msn++) lines.push(...parts(msn, perSegment), '#EXTINF:1.0,', `s-${msn}.m4s`);
  lines.push(...parts(to + 1, open));
  if (hint) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p-${to + 1}-${open}.m4s"`);
  return `${lines.join('\n')}\n`;
}

const playlist = (res: ServerResponse, body: string): void => void res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'content-length': Buffer.byteLength(body) }).end(body);
const media = (res: ServerResponse, bytes: number): void => void res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes }).end(Buffer.alloc(bytes));

async function run(viewer: Viewer, until: () => boolean): Promise<string[]> {
  for (const s of seen) earlierPorts.add(s.remotePort);
  seen.length = 0;
  viewer.start();
  try {
    await waitFor('viewer requests', until, 10_000);
  } finally {
    viewer.stop();
  }
  return seen.map((s) => s.url);
}

test('LL-HLS viewer (hls.js): plain load, init, newest part, then blocking reloads for the next part and every new part, on one connection', async () => {
  const held: ServerResponse[] = [];
  route = (req, res) => {
    const url = req.url!;
    if (url === '/s/media.m3u8') return playlist(res, llhls(10, 12, 5, 3));
    if (url === '/s/media.m3u8?_HLS_msn=13&_HLS_part=3&_HLS_skip=YES') return playlist(res, llhls(10, 13, 5, 0));
    if (url.startsWith('/s/media.m3u8?')) return void held.push(res); // the next blocking reload waits (until the test ends)
    if (url === '/s/init.mp4' || url.startsWith('/s/p-')) return media(res, PART_BYTES);
    res.writeHead(404).end();
  };
  const e = env('/s/media.m3u8');
  const viewer = new LlHlsViewer(e, 0, { skip: true, preloadHints: false });
  const urls = await run(viewer, () => held.length > 0);
  assert.deepEqual(urls, [
    '/s/media.m3u8', '/s/init.mp4', '/s/p-13-2.m4s',
    '/s/media.m3u8?_HLS_msn=13&_HLS_part=3&_HLS_skip=YES', '/s/p-13-3.m4s', '/s/p-13-4.m4s',
    '/s/media.m3u8?_HLS_msn=14&_HLS_part=0&_HLS_skip=YES',
  ]);
  assert.equal(new Set(seen.map((s) => s.remotePort)).size, 1, 'one keep-alive connection');
  assert.equal(viewer.counters.mediaBytes, 4 * PART_BYTES);
  assert.equal(viewer.counters.requests, 7);
  assert.deepEqual([...viewer.counters.errors], []);
  assert.equal(e.partLag.percentiles().n, 3, 'a lag sample per part');
  assert.equal(Math.round(e.objects.bytesPerSecond!), PART_BYTES / 0.2);
  for (const res of held) res.destroy();
});

test('LL-HLS viewer without skip support asks without _HLS_skip; a failed reload is retried without directives', async () => {
  let reloads = 0;
  route = (req, res) => {
    const url = req.url!;
    if (url === '/s/media.m3u8') return playlist(res, llhls(10, 12, 5, 3));
    if (url.startsWith('/s/media.m3u8?')) return void (reloads++ === 0 ? res.writeHead(503).end() : playlist(res, llhls(10, 12, 5, 3)));
    return media(res, PART_BYTES);
  };
  const viewer = new LlHlsViewer(env('/s/media.m3u8'), 0, { skip: false, preloadHints: false });
  const urls = await run(viewer, () => seen.filter((s) => s.url === '/s/media.m3u8').length >= 2);
  assert.equal(urls[3], '/s/media.m3u8?_HLS_msn=13&_HLS_part=3');
  assert.equal(urls[4], '/s/media.m3u8');
  assert.deepEqual([...viewer.counters.errors], [['playlist 503', 1]]);
});

test('LL-HLS viewer with preload hints: the hinted part is asked for once, on a second connection, and not again when listed', async () => {
  let hintAnswered = false;
  route = (req, res) => {
    const url = req.url!;
    if (url === '/s/media.m3u8') return playlist(res, llhls(10, 12, 5, 3));
    if (url === '/s/p-13-3.m4s') return void setTimeout(() => { hintAnswered = true; media(res, PART_BYTES); }, 100);
    if (url === '/s/media.m3u8?_HLS_msn=13&_HLS_part=3&_HLS_skip=YES') return void setTimeout(() => playlist(res, llhls(10, 12, 5, 5)), 200);
    if (url.startsWith('/s/media.m3u8?')) return; // held
    return media(res, PART_BYTES);
  };
  const viewer = new LlHlsViewer(env('/s/media.m3u8'), 0, { skip: true, preloadHints: true });
  const urls = await run(viewer, () => seen.some((s) => s.url.includes('_HLS_part=5')) && hintAnswered);
  assert.equal(urls.filter((u) => u === '/s/p-13-3.m4s').length, 1);
  assert.ok(urls.includes('/s/p-13-4.m4s'));
  assert.equal(new Set(seen.map((s) => s.remotePort)).size, 2, 'viewer connection + hint connection');
  assert.deepEqual([...viewer.counters.errors], []);
});

test('LL-HLS viewer with preload hints: a hint answered 404 is counted, and the part is fetched when listed', async () => {
  route = (req, res) => {
    const url = req.url!;
    if (url === '/s/media.m3u8') return playlist(res, llhls(10, 12, 5, 3));
    if (url === '/s/media.m3u8?_HLS_msn=13&_HLS_part=3&_HLS_skip=YES') return playlist(res, llhls(10, 12, 5, 4));
    if (url.startsWith('/s/media.m3u8?')) return;
    if (url === '/s/p-13-3.m4s' && !seen.slice(0, -1).some((s) => s.url === url)) return void res.writeHead(404).end();
    return media(res, PART_BYTES);
  };
  const viewer = new LlHlsViewer(env('/s/media.m3u8'), 0, { skip: true, preloadHints: true });
  const urls = await run(viewer, () => seen.filter((s) => s.url === '/s/p-13-3.m4s').length === 2);
  assert.equal(urls.filter((u) => u === '/s/p-13-3.m4s').length, 2);
  assert.deepEqual([...viewer.counters.errors], [['hint 404', 1]]);
});

test('segment viewer: newest segment first, then each new segment once, polling every half target duration on one connection', async () => {
  let polls = 0;
  route = (req, res) => {
    if (req.url === '/n/bench.m3u8') {
      polls++;
      const from = polls === 1 ? 5 : 6;
      const to = polls === 1 ? 7 : 9;
      const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-MEDIA-SEQUENCE:${from}`, '#EXT-X-TARGETDURATION:1'];
      for (let m = from; m <= to; m++) lines.push('#EXTINF:1.000,', `bench-${m}.ts`);
      return playlist(res, `${lines.join('\n')}\n`);
    }
    return media(res, SEGMENT_BYTES);
  };
  const e = env('/n/bench.m3u8');
  const viewer = new SegmentViewer(e, 0);
  const t0 = Date.now();
  const urls = await run(viewer, () => polls >= 3);
  assert.deepEqual(urls.slice(0, 5), ['/n/bench.m3u8', '/n/bench-7.ts', '/n/bench.m3u8', '/n/bench-8.ts', '/n/bench-9.ts']);
  assert.equal(urls[5], '/n/bench.m3u8', 'nothing new: no segment request');
  assert.ok(Date.now() - t0 >= 2 * 500, 'polls are half a target duration apart');
  assert.equal(new Set(seen.map((s) => s.remotePort)).size, 1);
  assert.equal(viewer.counters.mediaBytes, 3 * SEGMENT_BYTES);
  assert.equal(e.objects.bytesPerSecond, SEGMENT_BYTES);
});

test('FLV viewer: a chunked live body is counted as it arrives; its end is counted and the viewer asks again', async () => {
  route = (_req, res) => {
    res.writeHead(200, { 'content-type': 'video/x-flv' });
    res.write(Buffer.alloc(1000));
    setTimeout(() => res.end(Buffer.alloc(2000)), 50);
  };
  const viewer = new FlvViewer(env('/live/s.flv'), 0);
  await run(viewer, () => seen.length >= 2);
  assert.ok(viewer.counters.mediaBytes >= 3000, `${viewer.counters.mediaBytes} bytes`);
  assert.ok(viewer.counters.errors.get('flv ended 200')! >= 1);
  assert.equal(viewer.counters.requests, seen.length);
});

test('health probe: a probe the server never answers still reports, as long as it has been waiting (and the probes due meanwhile)', async () => {
  route = () => undefined; // never answers
  const probe = new LatencyProbe({ host: '127.0.0.1', port }, '/healthz');
  probe.start();
  try {
    await waitFor('a probe sent', () => seen.some((s) => s.url === '/healthz'), 5000);
    await new Promise((r) => setTimeout(r, 350));
    const p = probe.percentiles();
    assert.ok(p.n >= 3, `n ${p.n}`);
    assert.ok(p.max! >= 300, `max ${p.max}`);
    assert.equal(seen.filter((s) => s.url === '/healthz').length, 1, 'no second probe while one is outstanding');
  } finally {
    probe.stop();
  }
});

test('sample set: exact percentiles, extra samples counted without being kept, bounded by reservoir', () => {
  const s = new SampleSet(100);
  for (let i = 1; i <= 100; i++) s.add(i);
  assert.deepEqual(s.percentiles(), { n: 100, p50: 51, p95: 96, p99: 100, max: 100 });
  assert.equal(s.percentiles([1000]).max, 1000);
  assert.equal(s.percentiles().max, 100);
  for (let i = 0; i < 10_000; i++) s.add(5);
  const p = s.percentiles();
  assert.equal(p.n, 10_100);
  assert.equal(p.p50, 5, 'the reservoir is mostly the later, far more numerous samples');
  assert.equal(p.max, 100);
});
