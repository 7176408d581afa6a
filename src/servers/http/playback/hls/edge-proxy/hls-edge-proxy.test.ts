import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { createLogger } from '../../../../../core/logger.js';
import { EDGE_HLS_HEADER, type OwnerAddress, verifyEdgeHlsRequest } from '../../../../../services/edge/index.js';
import { EdgeHlsProxy } from './hls-edge-proxy.js';
import { DEFAULT_EDGE_HLS_PROXY_OPTIONS, type EdgeHlsProxyOptions, WORKER_HLS_PROXY_OPTIONS } from './proxy-options.js';
import { HOP_HEADER, SIBLING_CACHE_HOP } from '../hls-proxy.js';
import { parseHlsPath } from '../hls-paths.js';
import { HlsExchange } from '../hls-responses.js';
import type { HlsResponseObserver } from '../hls-observer-hook.js';
import { hlsHandler } from '../register-hls.js';
import { NEW_VIEWER_PARAM } from './upstream-query.js';
import { type TestMedia, encodeTestMedia, hasFfmpeg } from '../../../../../formats/fmp4/testing/ffmpeg-media.js';
import type { HlsRendition } from '../../../../../protocols/hls/index.js';
import { READY_SEGMENTS } from '../../../../../protocols/hls/limits.js';
import { fedRendition, startPoint } from '../../../../../protocols/hls/testing/live-rendition.js';

/**
 * The edge side of `--edge-hls proxy` against an owner of our own making (a plain HTTP server that counts what
 * it is asked and answers as the test says): the end-to-end behaviour with real nodes is in
 * test/cluster/edge-hls-proxy.test.ts; here the bounds and failure answers that a live cluster rarely shows. The
 * keyframe-start tests at the end put OnAir's own HLS handler (register-hls.ts) over a live rendition behind that owner.
 */
const SECRET = 'unit-secret';
const SEGMENT = Buffer.alloc(2000, 7);

type Answer = (req: IncomingMessage, res: ServerResponse) => void;
let answer: Answer;
const asked: string[] = [];
let owner: Server;
let ownerUrl: string;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

before(async () => {
  owner = createServer((req, res) => {
    const check = verifyEdgeHlsRequest(SECRET, req.url!.split('?')[0]!, String(req.headers[EDGE_HLS_HEADER] ?? ''));
    if (!check.ok || check.streamPath !== 'live/x') {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":{"code":"forbidden","message":"no"}}');
      return;
    }
    asked.push(req.url!);
    answer(req, res);
  });
  ownerUrl = await listen(owner);
});
after(() => owner.close());

/**
 * An edge in front of `owner` (`httpUrl`) with `options`; returns a fetch of a path on it, by a viewer (user agent) of
 * its own when told (each viewer's first playlist there is asked as a new viewer's, NEW_VIEWER_PARAM).
 */
async function edge(options: Partial<EdgeHlsProxyOptions> = {}, httpUrl = ownerUrl, observer?: HlsResponseObserver): Promise<{ get(path: string, viewer?: string, method?: string): Promise<Response>; proxy: EdgeHlsProxy; close(): void }> {
  const proxy = new EdgeHlsProxy({ locate: async () => ({ nodeId: 'owner', rtmpUrl: '', httpUrl }) }, SECRET, createLogger('silent'), { ...DEFAULT_EDGE_HLS_PROXY_OPTIONS, ...options });
  const server = createServer((req, res) => {
    const [path, query = ''] = req.url!.split('?');
    const resource = parseHlsPath(path!.slice('/hls/x/'.length))!;
    void proxy.owner('live/x').then((o) => proxy.serve(new HlsExchange(req, res, observer), o!, o!.httpUrl!, 'live/x', path!, resource, parseQuery(query)));
  });
  const base = await listen(server);
  return {
    // Bounded: a request held by mistake fails its test instead of hanging it.
    get: (path, viewer, method = 'GET') => fetch(`${base}${path}`, { method, headers: viewer ? { 'user-agent': viewer } : {}, signal: AbortSignal.timeout(20_000) }),
    proxy, close: () => { server.close(); proxy.close(); },
  };
}

function segment(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'video/mp4', 'cache-control': 'public, max-age=31536000, immutable', etag: '"i-src-s1"' }).end(SEGMENT);
}

test('viewer tokens: the owner is asked with the placeholder once, each viewer gets its own token on every URI', async () => {
  asked.length = 0;
  answer = (req, res) => {
    const q = new URL(req.url!, 'http://x').searchParams;
    const t = q.get('token') ? `?token=${q.get('token')}` : '';
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'public, max-age=1', etag: '"p1"' })
      .end(`#EXTM3U\n#EXT-X-MAP:URI="init-i-0.mp4${t}"\n#EXTINF:1.000,\nseg-i-1.m4s${t}\n`);
  };
  const e = await edge();
  const [one, two, none] = await Promise.all(['?token=a%20b%26c', '?token=zz', ''].map((q, i) => e.get(`/hls/x/src/media.m3u8${q}`, `viewer-${i}`)));
  const [t1, t2, t0] = await Promise.all([one!.text(), two!.text(), none!.text()]);
  assert.match(t1, /init-i-0\.mp4\?token=a%20b%26c"/);
  assert.match(t1, /seg-i-1\.m4s\?token=a%20b%26c\n/);
  assert.match(t2, /seg-i-1\.m4s\?token=zz\n/);
  assert.match(t0, /seg-i-1\.m4s\n/);
  assert.doesNotMatch(t1 + t2 + t0, /onairEdgeViewerToken0/);
  assert.notEqual(one!.headers.get('etag'), two!.headers.get('etag'), 'the ETag names the rendering');
  // Two viewers with tokens shared one upstream request; the viewer without a token needed the token-less playlist
  // (each a new viewer's first playlist here).
  assert.deepEqual(asked.sort(), ['/hls/x/src/media.m3u8?onairNewViewer=1', '/hls/x/src/media.m3u8?token=onairEdgeViewerToken0&onairNewViewer=1']);
  e.close();
});

test('a media playlist passed on carries the owner\'s EXT-X-TARGETDURATION (its viewer\'s session time here), from the copy too; media and the master none', async () => {
  answer = (req, res) => {
    if (!req.url!.includes('.m3u8')) return segment(res);
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'public, max-age=1', etag: '"t1"' })
      .end(req.url!.includes('index.m3u8') ? '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nsrc/media.m3u8\n' : '#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.000,\nseg-i-1.m4s\n');
  };
  const seen: number[] = [];
  const e = await edge({}, ownerUrl, { served: (s) => seen.push(s.targetDuration) });
  for (const [i, path] of ['/hls/x/src/media.m3u8', '/hls/x/src/media.m3u8', '/hls/x/src/seg-i-1.m4s', '/hls/x/index.m3u8'].entries()) {
    assert.equal((await e.get(path, `viewer-${i}`)).status, 200, path);
  }
  assert.deepEqual(seen, [4, 4, 0, 0]);
  assert.equal(e.proxy.upstreamRequests, 3, 'the second playlist came from the copy');
  e.close();
});

test('media is kept within the byte bound: the least recently used leaves first, and is asked again', async () => {
  asked.length = 0;
  answer = (_req, res) => segment(res);
  const e = await edge({ maxCacheBytes: 9000 });
  for (let msn = 1; msn <= 5; msn++) assert.equal((await e.get(`/hls/x/src/seg-i-${msn}.m4s`)).status, 200);
  assert.ok(e.proxy.cached.bytes <= 9000, JSON.stringify(e.proxy.cached));
  assert.equal(e.proxy.cached.entries, 4);
  const body = Buffer.from(await (await e.get('/hls/x/src/seg-i-5.m4s')).arrayBuffer());
  assert.ok(body.equals(SEGMENT));
  assert.equal(asked.length, 5, 'the newest is served from the cache');
  await e.get('/hls/x/src/seg-i-1.m4s');
  assert.equal(asked.length, 6, 'the oldest was dropped and is asked again');
  e.close();
});

test('between workers: requests say they are a sibling\'s copy; a playlist the owner lets caches keep 1 s is asked again after 250 ms', async () => {
  asked.length = 0;
  const hops: (string | string[] | undefined)[] = [];
  answer = (req, res) => {
    hops.push(req.headers[HOP_HEADER]);
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'public, max-age=1' }).end(`#EXTM3U\n#${asked.length}\n`);
  };
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const worker = await edge(WORKER_HLS_PROXY_OPTIONS);
  const node = await edge();
  for (const e of [worker, node]) {
    const first = await Promise.all([1, 2, 3].map(async (i) => (await e.get('/hls/x/src/media.m3u8', `viewer-${i}`)).text()));
    assert.deepEqual(new Set(first).size, 1, 'concurrent requests share one answer');
    await sleep(400);
    await (await e.get('/hls/x/src/media.m3u8', 'viewer-4')).text();
  }
  // The worker's copy asked twice (kept 250 ms, not the 1 s the owner allows); the edge between nodes once more (kept 1 s).
  assert.equal(asked.length, 3, JSON.stringify(asked));
  assert.deepEqual(hops, [SIBLING_CACHE_HOP, SIBLING_CACHE_HOP, undefined]);
  worker.close();
  node.close();
});

test('a playlist the owner marks no-store is not kept: the next viewer\'s request goes to the owner', async () => {
  asked.length = 0;
  answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-store' }).end('#EXTM3U\n');
  const e = await edge();
  await (await e.get('/hls/x/src/media.m3u8')).text();
  await (await e.get('/hls/x/src/media.m3u8')).text();
  assert.equal(asked.length, 2);
  e.close();
});

test('a blocking-reload answer is kept for its s-maxage (a shared cache), not its max-age=0 for browsers, which the viewer gets as is', async () => {
  asked.length = 0;
  const cc = 'public, max-age=0, s-maxage=6';
  answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': cc, etag: '"b1"' }).end('#EXTM3U\n');
  const e = await edge();
  const first = await e.get('/hls/x/src/media.m3u8?_HLS_msn=4&_HLS_part=1');
  await first.text();
  await (await e.get('/hls/x/src/media.m3u8?_HLS_msn=4&_HLS_part=1')).text();
  assert.equal(asked.length, 1, 'the second viewer was answered from the edge');
  assert.equal(first.headers.get('cache-control'), cc);
  e.close();
});

test('failures: an owner that does not answer and is not gone is 502, a refused edge token 502, the owner\'s 404 passes as is, a huge object 502', async () => {
  // (An owner alive in the registry whose connections break: held for another one up to ownerWaitMs, then 502.)
  const breaking = createServer((req) => req.socket.destroy());
  const dead = await edge({ ownerWaitMs: 100 }, await listen(breaking));
  const res = await dead.get('/hls/x/src/seg-i-1.m4s');
  assert.equal(res.status, 502);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'bad_gateway');
  dead.close();
  breaking.close();

  const wrong = new EdgeHlsProxy({ locate: async () => ({ nodeId: 'o', rtmpUrl: '', httpUrl: ownerUrl }) }, 'another-secret', createLogger('silent'));
  const server = createServer((req, res) => void wrong.serve(new HlsExchange(req, res), { nodeId: 'o', rtmpUrl: '' }, ownerUrl, 'live/x', req.url!, parseHlsPath('src/seg-i-1.m4s')!, {}));
  const base = await listen(server);
  assert.equal((await fetch(`${base}/hls/x/src/seg-i-1.m4s`)).status, 502, 'the owner refused the edge: not the viewer\'s fault');
  server.close();
  wrong.close();

  answer = (_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"media_not_found","message":"expired"}}');
  const e = await edge({ maxObjectBytes: 1000 });
  const gone = await e.get('/hls/x/src/seg-i-1.m4s');
  assert.equal(gone.status, 404);
  assert.equal(((await gone.json()) as { error: { code: string } }).error.code, 'media_not_found');
  answer = (_req, res) => segment(res);
  assert.equal((await e.get('/hls/x/src/seg-i-2.m4s')).status, 502, 'over maxObjectBytes');
  e.close();
});

test('in-flight requests are bounded: past the cap a new object is 503 (retry), the held ones complete', async () => {
  const held: ServerResponse[] = [];
  answer = (_req, res) => held.push(res);
  const e = await edge({ maxInFlight: 2 });
  const first = [e.get('/hls/x/src/part-i-9-0.m4s'), e.get('/hls/x/src/part-i-9-1.m4s')];
  await until(() => held.length === 2);
  // The same object joins the running request (no third upstream request); a new one is refused.
  const joined = e.get('/hls/x/src/part-i-9-0.m4s');
  assert.equal((await e.get('/hls/x/src/part-i-9-2.m4s')).status, 503);
  assert.equal(e.proxy.cached.inFlight, 2);
  for (const res of held) segment(res);
  assert.deepEqual((await Promise.all([...first, joined])).map((r) => r.status), [200, 200, 200]);
  assert.equal(held.length, 2);
  e.close();
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check());
}

test('an owner that died: playlist requests are held for the next owner, one poll for all of them, and served by it', async () => {
  const closed = createServer();
  const deadUrl = await listen(closed);
  closed.close();
  answer = (_req, res) => segment(res);
  // The locator's view of a failover: the dead owner while its lease lives, nobody, then the new owner.
  const views: (OwnerAddress | undefined)[] = [
    { nodeId: 'dead', rtmpUrl: '', httpUrl: deadUrl }, { nodeId: 'dead', rtmpUrl: '', httpUrl: deadUrl }, undefined, undefined,
  ];
  let calls = 0;
  const locate = async (): Promise<OwnerAddress | undefined> => views[calls++] ?? { nodeId: 'next', rtmpUrl: '', httpUrl: ownerUrl };
  const proxy = new EdgeHlsProxy({ locate }, SECRET, createLogger('silent'), DEFAULT_EDGE_HLS_PROXY_OPTIONS);
  const first = (await proxy.owner('live/x'))!;
  assert.equal(first.nodeId, 'dead');
  const server = createServer((req, res) => void proxy.serve(new HlsExchange(req, res), first, first.httpUrl!, 'live/x', req.url!, parseHlsPath('src/media.m3u8')!, {}));
  const base = await listen(server);
  const before = asked.length;
  // Playlists (media would be answered 503 at once: no next owner has a dead one's names; the next test).
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => fetch(`${base}/hls/x/src/media.m3u8`, { headers: { 'user-agent': `viewer-${i}` } })));
  for (const res of answers) {
    assert.equal(res.status, 200);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(SEGMENT));
  }
  assert.equal(asked.length - before, 1, 'one request to the new owner');
  // The 10 viewers waited on one poll (the first call, then a few polls), not one poll each.
  assert.ok(calls <= views.length + 2, `${calls} locator calls`);
  assert.equal(proxy.recentlyOwned('live/x'), true);
  server.close();
  proxy.close();

  // No next owner within the bound: nothing (the caller answers 503 while the stream was recently owned).
  const none = new EdgeHlsProxy({ locate: async () => undefined }, SECRET, createLogger('silent'), { ...DEFAULT_EDGE_HLS_PROXY_OPTIONS, ownerWaitMs: 100 });
  assert.equal(await none.awaitOwner('live/x', undefined), undefined);
  assert.equal(none.recentlyOwned('live/x'), false, 'never owned: not live (404), not moving');
  none.close();
  const forgetful = new EdgeHlsProxy({ locate }, SECRET, createLogger('silent'), { ...DEFAULT_EDGE_HLS_PROXY_OPTIONS, ownerGoneRetryMs: 0 });
  assert.ok(await forgetful.owner('live/x'));
  assert.equal(forgetful.recentlyOwned('live/x'), false, 'owned longer ago than ownerGoneRetryMs');
  forgetful.close();
});

/** An edge whose locator names `owner` (at `httpUrl`) and says `gone` of it; counts the locator's calls. */
async function edgeOf(httpUrl: string, gone: boolean | undefined): Promise<{ get(path: string): Promise<Response>; proxy: EdgeHlsProxy; locates: () => number; close(): void }> {
  let locates = 0;
  const locator = {
    locate: async (): Promise<OwnerAddress> => {
      locates++;
      return { nodeId: 'owner', rtmpUrl: '', httpUrl };
    },
    ...(gone === undefined ? {} : { ownerGone: async () => gone }),
  };
  const proxy = new EdgeHlsProxy(locator, SECRET, createLogger('silent'), { ...DEFAULT_EDGE_HLS_PROXY_OPTIONS, ownerWaitMs: 300 });
  const server = createServer((req, res) => {
    const path = req.url!.split('?')[0]!;
    void proxy.owner('live/x').then((o) => proxy.serve(new HlsExchange(req, res), o!, o!.httpUrl!, 'live/x', path, parseHlsPath(path.slice('/hls/x/'.length))!, {}));
  });
  const base = await listen(server);
  return { get: (path) => fetch(`${base}${path}`), proxy, locates: () => locates, close: () => { server.close(); proxy.close(); } };
}

async function between(res: Response): Promise<void> {
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '1');
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'stream_not_ready');
}

test('an owner that is gone (its port refuses) while it is still named owner: media 503 + Retry-After at once, playlists held then 503', async () => {
  const closed = createServer();
  const deadUrl = await listen(closed);
  closed.close();
  const e = await edgeOf(deadUrl, undefined);
  await between(await e.get('/hls/x/src/part-i-9-0.m4s'));
  assert.equal(e.locates(), 1, 'not held: the locator was not polled for a next owner');
  assert.equal(e.proxy.upstreamRequests, 1);
  // Found gone a moment ago: not asked again.
  await between(await e.get('/hls/x/src/seg-i-9.m4s'));
  assert.equal(e.proxy.upstreamRequests, 1, 'the gone owner is not asked again within a second');
  // A playlist is held for a next owner (hls.js retries a playlist only twice), polling the locator, then 503.
  const before = e.locates();
  await between(await e.get('/hls/x/src/media.m3u8'));
  assert.ok(e.locates() > before + 1, `held and polled: ${e.locates() - before} locator calls`);
  e.close();
});

test('an owner whose connections break: gone when the registry says so (503 + Retry-After at once for media), else 502 after the hold', async () => {
  const breaking = createServer((req) => req.socket.destroy());
  const url = await listen(breaking);
  const gone = await edgeOf(url, true);
  await between(await gone.get('/hls/x/src/seg-i-1.m4s'));
  assert.equal(gone.locates(), 1);
  gone.close();
  const alive = await edgeOf(url, false);
  const res = await alive.get('/hls/x/src/seg-i-1.m4s');
  assert.equal(res.status, 502);
  assert.equal(res.headers.get('retry-after'), null);
  assert.ok(alive.locates() > 1, 'held for a next owner first');
  alive.close();
  breaking.close();
});

test('between owners, after the hold: a plain playlist reload gets the gone owner\'s last playlist (no-store, viewer token on), a blocking reload 503', async () => {
  const PLAYLIST = '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:1.0,\nseg-i-7.m4s?token=onairEdgeViewerToken0\n';
  const mortal = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'max-age=1', etag: '"p7"' }).end(PLAYLIST);
  });
  const url = await listen(mortal);
  const proxy = new EdgeHlsProxy({ locate: async () => ({ nodeId: 'owner', rtmpUrl: '', httpUrl: url }) }, SECRET, createLogger('silent'), { ...DEFAULT_EDGE_HLS_PROXY_OPTIONS, ownerWaitMs: 300 });
  const server = createServer((req, res) => {
    const [path, query = ''] = req.url!.split('?');
    void proxy.owner('live/x').then((o) => proxy.serve(new HlsExchange(req, res), o!, o!.httpUrl!, 'live/x', path!, parseHlsPath(path!.slice('/hls/x/'.length))!, parseQuery(query)));
  });
  const base = await listen(server);
  // While the owner lives: a blocking reload (its answer is what is kept, under the request's shape without directives).
  const live = await fetch(`${base}/hls/x/src/media.m3u8?_HLS_msn=7&_HLS_part=0&_HLS_skip=YES&token=alice`);
  assert.equal(live.status, 200);
  await live.arrayBuffer();
  await new Promise<void>((r) => mortal.close(() => r()));
  mortal.closeAllConnections();
  await new Promise((r) => setTimeout(r, 1100)); // past its max-age: not the cache's fresh copy

  const t0 = performance.now();
  const plain = await fetch(`${base}/hls/x/src/media.m3u8?_HLS_skip=YES&token=bob`);
  assert.equal(plain.status, 200, await plain.clone().text());
  assert.equal(plain.headers.get('cache-control'), 'no-store');
  assert.equal(await plain.text(), PLAYLIST.replace('onairEdgeViewerToken0', 'bob'));
  assert.ok(performance.now() - t0 >= 250, 'held for a next owner first');
  // Another shape (no skip) was never answered by that owner: nothing to give.
  await between(await fetch(`${base}/hls/x/src/media.m3u8`));
  // A blocking reload asks for a part that playlist lacks: 503 + Retry-After.
  await between(await fetch(`${base}/hls/x/src/media.m3u8?_HLS_msn=8&_HLS_part=0&_HLS_skip=YES`));
  // So is media.
  await between(await fetch(`${base}/hls/x/src/seg-i-8.m4s`));
  server.close();
  proxy.close();
});

/** LL-HLS with the keyframe start on (--hls-keyframe-start-ms): 1 s segments of the 1 s GOP clip, 200 ms parts. */
const KEYFRAME_START = { segmentMs: 1000, partMs: 200, windowSegments: 4, reconnectWindowMs: 60_000, keyframeStartMaxMs: 5_000 };
const withFfmpeg = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';
let clip: TestMedia | undefined;
const isNewViewers = (url: string): boolean => url.includes(`${NEW_VIEWER_PARAM}=`);

/** The owner's own HLS handler (register-hls.ts) serving `r` as live/x on this machine: what a copy asks. */
function ownerServing(r: HlsRendition): Answer {
  const packager = { renditions: new Map([['src', r]]), instance: 'abc', isClosed: false, source: r, startedAt: 0 };
  const deps = {
    packagers: { get: (path: string) => (path === 'live/x' ? packager : undefined) },
    hub: { stream: () => undefined }, edgeSecret: SECRET, log: createLogger('silent'), hlsOrigin: async () => undefined,
  };
  return hlsHandler(deps as unknown as Parameters<typeof hlsHandler>[0]);
}

/** A live rendition at the owner whose playlist now starts a player outside a keyframe part. */
function offKeyframe(): { r: HlsRendition; feed: () => boolean } {
  clip ??= encodeTestMedia(8, 25);
  const fed = fedRendition(clip, READY_SEGMENTS, KEYFRAME_START);
  while (fed.r.startsOnKeyframe) assert.ok(fed.feed());
  return fed;
}

/** A request whose answer is awaited later; `done` tells whether it came. */
function track(res: Promise<Response>): { res: Promise<Response>; done: () => boolean } {
  let came = false;
  void res.then(() => void (came = true), () => undefined);
  return { res, done: () => came };
}

test('a worker\'s copy: a new viewer\'s first LL-HLS playlist is held at the owner until the start point is in an INDEPENDENT part; new viewers together share that one held request; a blocking reload, a HEAD, a TS playlist and a returning client are answered at once', { skip: withFfmpeg }, async () => {
  const { r, feed } = offKeyframe();
  answer = ownerServing(r);
  asked.length = 0;
  const e = await edge(WORKER_HLS_PROXY_OPTIONS);
  try {
    const first = track(e.get('/hls/x/src/media.m3u8', 'viewer-1'));
    await until(() => asked.some(isNewViewers));
    // Nothing is fed while these wait: held, they would not be answered.
    const msn = r.window().lastCompleteMsn!;
    const now = await Promise.all([
      e.get(`/hls/x/src/media.m3u8?_HLS_msn=${msn}`, 'viewer-2'),
      e.get('/hls/x/src/media.m3u8', 'viewer-3', 'HEAD'),
      e.get('/hls/x/src/ts.m3u8', 'viewer-4'),
      e.get('/hls/x/src/media.m3u8', 'viewer-1'),
    ]);
    assert.deepEqual(now.map((res) => res.status), [200, 200, 200, 200]);
    assert.equal(startPoint(await now[3]!.text()).independent, false, 'the returning client: the playlist as it is');
    const joined = e.proxy.stats.cache.coalesced;
    const joiners = Array.from({ length: 20 }, (_, i) => e.get('/hls/x/src/media.m3u8', `joiner-${i}`));
    await until(() => e.proxy.stats.cache.coalesced === joined + 20);
    assert.equal(first.done(), false, 'held while the start point is outside a keyframe part');
    // The copy never holds one owner slot per viewer: 21 new viewers, one held request at the owner.
    assert.equal(asked.filter(isNewViewers).length, 1, JSON.stringify(asked));
    while (!r.startsOnKeyframe) assert.ok(feed(), 'the clip brings a keyframe part to the hold-back point');
    const body = await (await first.res).text();
    const start = startPoint(body);
    assert.equal(start.independent, true, 'answered when the player\'s start point is in a keyframe part');
    assert.ok(start.intoPart < 0.25, `within one part of that keyframe (${start.intoPart.toFixed(3)} s)`);
    for (const res of await Promise.all(joiners)) assert.equal(await res.text(), body);
  } finally {
    e.close();
    r.close();
  }
});

test('a node\'s copy (--edge-hls proxy): each new viewer of it is held at the owner, not only the copy\'s first request; the hold ends when the publisher leaves', { skip: withFfmpeg }, async () => {
  const { r, feed } = offKeyframe();
  answer = ownerServing(r);
  asked.length = 0;
  // No playlist kept: every viewer's playlist is asked of the owner.
  const e = await edge({ playlistTtlMaxMs: 0 });
  try {
    const a = track(e.get('/hls/x/src/media.m3u8', 'viewer-a'));
    await until(() => asked.some(isNewViewers));
    assert.equal(a.done(), false);
    while (!r.startsOnKeyframe) assert.ok(feed());
    assert.equal(startPoint(await (await a.res).text()).independent, true);
    while (r.startsOnKeyframe) assert.ok(feed());
    // To the owner, the same client as viewer-a (the copy's address): held because the copy says it is a new viewer.
    const b = track(e.get('/hls/x/src/media.m3u8', 'viewer-b'));
    await until(() => asked.filter(isNewViewers).length === 2);
    assert.equal(b.done(), false);
    r.publisherEnd();
    assert.equal((await b.res).status, 200, 'answered when the publisher left');
  } finally {
    e.close();
    r.close();
  }
});
