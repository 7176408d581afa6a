import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMediaPlaylist, type MediaPlaylist } from '../../src/formats/m3u8/index.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { startNginxCache, type NginxCache } from '../support/nginx-cache.js';
import { waitFor, type Proc } from '../support/proc.js';
import { HlsExchange } from '../../src/servers/http/playback/hls/hls-responses.js';

/**
 * README's nginx proxy_cache in front of OnAir, with N LL-HLS viewers behaving like hls.js (a plain load, then a
 * blocking reload for the part after the last listed, and every new part): the requests reaching OnAir are
 * counted on OnAir's own server and stay near one per distinct URL, not one per viewer.
 */
const VIEWERS = 60;
const WATCH_MS = 6_000;

let server: TestServer;
let nginx: NginxCache;
let pub: Proc;
/**
 * Requests under /hls/ that OnAir (this process's only server) answered, by URL: every HLS answer, through
 * node:http or the lean HTTP front, is one call of an HlsExchange answer method (an exchange counted once).
 */
const reached = new Map<string, number>();
/** How OnAir answered each URL, in order (`playlist`, `media`, `error:<code>`, `raw:<status>`): says why a URL came back. */
const answers = new Map<string, string[]>();
const ANSWERS = ['playlist', 'media', 'error', 'raw'] as const;
const originals = ANSWERS.map((name) => HlsExchange.prototype[name]);
const counted = new WeakSet<HlsExchange>();

before(async () => {
  ANSWERS.forEach((name, i) => {
    const original = originals[i] as (...args: unknown[]) => void;
    (HlsExchange.prototype as unknown as Record<string, unknown>)[name] = function (this: HlsExchange, ...args: unknown[]): void {
      const url = this.req.url;
      if (url && !counted.has(this)) {
        counted.add(this);
        reached.set(url, (reached.get(url) ?? 0) + 1);
        const how = name === 'error' || name === 'raw' ? `${name}:${String(args[0])}` : name;
        answers.set(url, [...(answers.get(url) ?? []), how].slice(0, 8));
      }
      original.apply(this, args);
    };
  });
  server = await startTestServer();
  nginx = await startNginxCache(`127.0.0.1:${server.ports.http}`);
  pub = await ffmpegPublish(server.rtmpUrl('cdn'));
  await waitFor('first segment', async () => (await fetch(server.httpUrl('/hls/cdn/src/media.m3u8'))).status === 200, 30_000, 200);
});
after(async () => {
  ANSWERS.forEach((name, i) => ((HlsExchange.prototype as unknown as Record<string, unknown>)[name] = originals[i]));
  await pub?.kill();
  await nginx?.stop();
  await server?.close();
});

interface ViewerLog {
  requests: number;
  failures: string[];
  parts: Set<string>;
  urls: Set<string>;
  /** The longest wait for one answer (ms). */
  slowest: number;
}

/** Last listed part of a playlist: (msn, index) of the newest EXT-X-PART. */
function lastPart(p: MediaPlaylist): { msn: number; index: number } {
  const parts = [...p.segments.flatMap((s) => s.parts ?? []), ...(p.partialSegment?.parts ?? [])];
  const m = /part-[a-z0-9]+-(\d+)-(\d+)\.m4s/.exec(parts[parts.length - 1]!.uri)!;
  return { msn: Number(m[1]), index: Number(m[2]) };
}

async function viewer(until: number): Promise<ViewerLog> {
  const log: ViewerLog = { requests: 0, failures: [], parts: new Set(), urls: new Set(), slowest: 0 };
  const get = async (path: string): Promise<Response | undefined> => {
    log.requests++;
    log.urls.add(path);
    const t0 = Date.now();
    const res = await fetch(nginx.url(path));
    log.slowest = Math.max(log.slowest, Date.now() - t0);
    if (res.status !== 200) {
      log.failures.push(`${res.status} ${path}`);
      await res.arrayBuffer();
      return undefined;
    }
    return res;
  };
  const base = '/hls/cdn/src/';
  let res = await get(`${base}media.m3u8`);
  if (!res) return log;
  let playlist = parseMediaPlaylist(await res.text());
  const seen = new Set(playlist.segments.flatMap((s) => s.parts ?? []).map((p) => p.uri));
  for (const p of playlist.partialSegment?.parts ?? []) seen.add(p.uri);
  while (Date.now() < until) {
    // Blocking reload for the part after the last listed (hls.js asks msn/part+1; the server maps a part
    // past a segment's last onto the next segment).
    const last = lastPart(playlist);
    res = await get(`${base}media.m3u8?_HLS_msn=${last.msn}&_HLS_part=${last.index + 1}`);
    if (!res) continue;
    playlist = parseMediaPlaylist(await res.text());
    const fresh = [...playlist.segments.flatMap((s) => s.parts ?? []), ...(playlist.partialSegment?.parts ?? [])]
      .map((p) => p.uri).filter((u) => !seen.has(u));
    for (const uri of fresh) {
      seen.add(uri);
      const part = await get(`${base}${uri}`);
      if (part) {
        await part.arrayBuffer();
        log.parts.add(uri);
      }
    }
  }
  return log;
}

test(`${VIEWERS} LL-HLS viewers through nginx proxy_cache: OnAir sees about one request per part and playlist, not ${VIEWERS}`, async () => {
  reached.clear();
  answers.clear();
  const until = Date.now() + WATCH_MS;
  const logs = await Promise.all(Array.from({ length: VIEWERS }, () => viewer(until)));
  const total = logs.reduce((n, l) => n + l.requests, 0);
  const distinct = new Set(logs.flatMap((l) => [...l.urls]));
  const atOnAir = [...reached.values()].reduce((a, b) => a + b, 0);
  const failures = logs.flatMap((l) => l.failures);
  const partsPerViewer = logs.map((l) => l.parts.size).sort((a, b) => a - b);
  const slowest = logs.map((l) => l.slowest).sort((a, b) => a - b);
  const worst = [...reached.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const summary = `${total} requests by viewers, ${distinct.size} distinct URLs, ${atOnAir} reached OnAir; parts per viewer `
    + `min ${partsPerViewer[0]} median ${partsPerViewer[partsPerViewer.length >> 1]}; slowest answer per viewer median ${slowest[slowest.length >> 1]} ms, max ${slowest.at(-1)} ms; took ${Date.now() - until + WATCH_MS} ms; most repeated at OnAir: ${JSON.stringify(worst)}; failures: ${failures.slice(0, 5).join(', ')}`;
  console.log(summary);
  assert.ok(partsPerViewer[0]! >= 1, `every viewer received new parts through the cache: ${summary}`);
  assert.ok(failures.length <= total / 100, `answers are 200 through the cache: ${summary}`);
  // A handful per URL at most (a lock that timed out, an entry that expired), never one per viewer.
  assert.ok(atOnAir <= distinct.size * 2 + 10, summary);
  assert.ok(atOnAir * 5 < total, summary);
  for (const [url, n] of reached) assert.ok(n <= 5, `${url} reached OnAir ${n} times (answered ${answers.get(url)?.join(', ')}): ${summary}`);
});

test('through the cache: parts are immutable HITs, a blocking playlist is cached by its full query, an unknown id is not cached', async () => {
  const plain = await fetch(nginx.url('/hls/cdn/src/media.m3u8'));
  assert.equal(plain.status, 200);
  assert.match(plain.headers.get('cache-control') ?? '', /^public, max-age=1$/);
  const playlist = parseMediaPlaylist(await plain.text());
  const last = lastPart(playlist);
  const part = `/hls/cdn/src/${(playlist.partialSegment?.parts ?? playlist.segments.at(-1)!.parts!).at(-1)!.uri}`;
  const first = await fetch(nginx.url(part));
  await first.arrayBuffer();
  const second = await fetch(nginx.url(part));
  await second.arrayBuffer();
  assert.equal(second.headers.get('x-cache-status'), 'HIT');
  assert.equal(second.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.ok(second.headers.get('etag'));
  const q = `/hls/cdn/src/media.m3u8?_HLS_msn=${last.msn}&_HLS_part=${last.index + 1}`;
  const a = await fetch(nginx.url(q));
  const aText = await a.text();
  const b = await fetch(nginx.url(q));
  assert.equal(b.headers.get('x-cache-status'), 'HIT');
  assert.equal(await b.text(), aText, 'the same playlist for the same directives');
  // nginx keeps it by s-maxage (the HIT above); a browser gets max-age=0 and revalidates.
  assert.match(a.headers.get('cache-control') ?? '', /^public, max-age=0, s-maxage=\d+$/);
  const before = [...reached.values()].reduce((x, y) => x + y, 0);
  for (let i = 0; i < 3; i++) assert.equal((await fetch(nginx.url('/hls/nobody/src/media.m3u8'))).status, 404);
  const after = [...reached.values()].reduce((x, y) => x + y, 0);
  assert.equal(after - before, 3, 'a 404 (no-store) is asked again every time: the stream may go live');
});
