import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { encodeTestMedia, hasFfmpeg } from '../../../../formats/fmp4/testing/ffmpeg-media.js';
import { parseMediaPlaylist } from '../../../../formats/m3u8/index.js';
import { HlsRendition, type RenditionSettings } from '../../../../protocols/hls/index.js';
import { MAX_BLOCKED_REQUESTS, MAX_KEYFRAME_HOLDS, READY_SEGMENTS } from '../../../../protocols/hls/limits.js';
import type { ManualTimers } from '../../../../protocols/hls/testing/media-feed.js';
import { fedRendition, startPoint } from '../../../../protocols/hls/testing/live-rendition.js';
import { parseHlsPath } from './hls-paths.js';
import { HlsExchange, matches } from './hls-responses.js';
import { HlsServing, playlistCacheControl } from './hls-serving.js';
import type { Variant } from './hls-variants.js';
import type { PreparedAnswer } from '../../lean/prepared-answer.js';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';
const media = hasFfmpeg() ? encodeTestMedia(4, 25) : undefined;
const low = { segmentMs: 1000, partMs: 200, windowSegments: 4, reconnectWindowMs: 60_000 };

/** What a handler wrote on a response: status, headers and every body Buffer as passed (identity kept). */
interface Written {
  status: number;
  headers: OutgoingHttpHeaders;
  chunks: Buffer[];
  ended: boolean;
}

/** A request/response pair recording what the exchange writes, without a socket. */
function exchange(method: string, headers: Record<string, string> = {}): { ex: HlsExchange; out: Written } {
  const out: Written = { status: 0, headers: {}, chunks: [], ended: false };
  const res = {
    destroyed: false, writableEnded: false, headersSent: false,
    writeHead(status: number, h: OutgoingHttpHeaders | (string | number)[]) {
      out.status = status;
      // The exchange passes headers flat (name, value, ...), as Node's writeHead takes them.
      out.headers = Array.isArray(h) ? Object.fromEntries(Array.from({ length: h.length / 2 }, (_, i) => [String(h[2 * i]), h[2 * i + 1]])) : h;
      this.headersSent = true;
      return this;
    },
    cork() {}, uncork() {},
    write(c: Buffer) {
      out.chunks.push(c);
      return true;
    },
    end(c?: Buffer) {
      if (c) out.chunks.push(c);
      out.ended = true;
      this.writableEnded = true;
      return this;
    },
  };
  const req = { method, headers, url: '/', socket: {} };
  return { ex: new HlsExchange(req as unknown as IncomingMessage, res as unknown as ServerResponse), out };
}

/** A rendition fed with the test clip until it has `segments` complete segments (offered to players from READY_SEGMENTS on). */
function liveRendition(segments = READY_SEGMENTS, settings: RenditionSettings = low): { r: HlsRendition; feed: () => boolean; variants: Variant[]; timers: ManualTimers } {
  const fed = fedRendition(media!, segments, settings);
  return { ...fed, variants: [{ id: 'src', rendition: fed.r, instance: 'abc' }] };
}

async function get(serving: HlsServing, variants: Variant[], path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}, method = 'GET') {
  const { ex, out } = exchange(method, headers);
  await serving.serve(ex, variants, parseHlsPath(path)!, query);
  return out;
}

/** Counts the renders of every rendition (a spy on the one render function). */
function countRenders(): { readonly count: number; restore(): void } {
  const original = HlsRendition.prototype.renderPlaylist;
  const spy = { count: 0, restore: () => void (HlsRendition.prototype.renderPlaylist = original) };
  HlsRendition.prototype.renderPlaylist = function (this: HlsRendition, ...args) {
    spy.count++;
    return original.apply(this, args);
  };
  return spy;
}

test('N concurrent requests for an unchanged playlist: one render, one shared Buffer', { skip }, async () => {
  const { r, variants } = liveRendition();
  const serving = new HlsServing();
  const renders = countRenders();
  try {
    const outs = await Promise.all(Array.from({ length: 50 }, () => get(serving, variants, 'src/media.m3u8')));
    assert.equal(renders.count, 1, 'rendered once for 50 requests');
    for (const o of outs) {
      assert.equal(o.status, 200);
      assert.equal(o.chunks.length, 1);
      assert.equal(o.chunks[0], outs[0]!.chunks[0], 'the same Buffer object for every viewer');
    }
    // Every variant (delta update, TS, token) is its own state, each rendered once.
    await Promise.all(Array.from({ length: 20 }, () => get(serving, variants, 'src/media.m3u8', { _HLS_skip: 'YES' })));
    await Promise.all(Array.from({ length: 20 }, () => get(serving, variants, 'src/media.m3u8', { token: 't1' })));
    await Promise.all(Array.from({ length: 20 }, () => get(serving, variants, 'src/ts.m3u8')));
    assert.equal(renders.count, 4);
    const tok = await get(serving, variants, 'src/media.m3u8', { token: 't1' });
    assert.match(tok.chunks[0]!.toString(), /part-abc-\d+-\d+\.m4s\?token=t1/, 'the token variant carries the token');
    assert.equal(renders.count, 4, 'still cached');
  } finally {
    renders.restore();
    r.close();
  }
});

test('blocking-reload waiters woken by one change share one render; a new part renders again', { skip }, async () => {
  const { r, variants, feed } = liveRendition();
  const serving = new HlsServing();
  const first = parseMediaPlaylist((await get(serving, variants, 'src/media.m3u8')).chunks[0]!.toString());
  const hint = first.preloadHints!.find((h) => h.type === 'PART')!;
  const [, msn, part] = /part-abc-(\d+)-(\d+)/.exec(hint.uri)!.map(Number);
  const renders = countRenders();
  try {
    const q = { _HLS_msn: String(msn), _HLS_part: String(part) };
    const pending = Array.from({ length: 40 }, () => get(serving, variants, 'src/media.m3u8', q));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(renders.count, 0, 'all 40 are parked, nothing rendered');
    while (!r.part(msn!, part!)) assert.ok(feed(), 'the clip produces the part');
    const outs = await Promise.all(pending);
    assert.equal(renders.count, 1, 'one render for the 40 woken waiters');
    for (const o of outs) assert.equal(o.chunks[0], outs[0]!.chunks[0]);
    const listed = parseMediaPlaylist(outs[0]!.chunks[0]!.toString());
    const uris = [...listed.segments.flatMap((s) => s.parts ?? []), ...(listed.partialSegment?.parts ?? [])].map((p) => p.uri);
    assert.ok(uris.includes(`part-abc-${msn}-${part}.m4s`));
    const blockingCc = outs[0]!.headers['cache-control'];
    assert.equal(blockingCc, `public, max-age=0, s-maxage=${r.targetDuration}`, 'a blocking answer is cacheable by its query in a shared cache');
    // The state moves on: the next request renders once more.
    const before = r.version;
    while (r.version === before) feed();
    await get(serving, variants, 'src/media.m3u8', q);
    await get(serving, variants, 'src/media.m3u8', q);
    assert.equal(renders.count, 2);
  } finally {
    renders.restore();
    r.close();
  }
});

test('parts and segments: one Buffer each, made once and shared by every viewer; HEAD has no body; Range is a view; 304 on If-None-Match', { skip }, async () => {
  const { r, variants } = liveRendition();
  const serving = new HlsServing();
  try {
    const part = r.part(1, 0)!;
    assert.ok(part.length > 1, 'the window keeps a part as moof + one Buffer per sample');
    const a = await get(serving, variants, 'src/part-abc-1-0.m4s');
    const b = await get(serving, variants, 'src/part-abc-1-0.m4s');
    assert.equal(a.status, 200);
    assert.equal(a.chunks.length, 1, 'the part leaves as one Buffer');
    assert.deepEqual(a.chunks[0], Buffer.concat(part), 'the part\'s bytes in order');
    assert.equal(b.chunks[0], a.chunks[0], 'the same Buffer for the next viewer (made once, not per request)');
    assert.equal(a.headers['cache-control'], 'public, max-age=31536000, immutable');
    const size = part.reduce((n, c) => n + c.length, 0);
    assert.equal(a.headers['content-length'], size);

    const seg = r.segment(1)!;
    assert.ok(r.window().segments.find((x) => x.msn === 1)!.parts.length > 1, 'the window keeps a segment as parts');
    const s = await get(serving, variants, 'src/seg-abc-1.m4s');
    assert.equal(s.chunks.length, 1, 'a segment leaves as one Buffer');
    assert.deepEqual(Buffer.concat(s.chunks), Buffer.concat(seg));
    const sAgain = await get(serving, variants, 'src/seg-abc-1.m4s');
    sAgain.chunks.forEach((c, i) => assert.equal(c, s.chunks[i], 'shared with the next viewer'));
    const s2 = await get(serving, variants, 'src/seg-abc-2.m4s');
    assert.deepEqual(Buffer.concat(s2.chunks), Buffer.concat(r.segment(2)!), 'each segment by its own MSN');
    const init = await get(serving, variants, 'src/init-abc-1.mp4');
    assert.equal(init.chunks[0], r.init(1));

    const head = await get(serving, variants, 'src/seg-abc-1.m4s', {}, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.chunks.length, 0, 'HEAD: no body');
    assert.equal(head.headers['content-length'], s.headers['content-length']);
    const headPl = await get(serving, variants, 'src/media.m3u8', {}, {}, 'HEAD');
    assert.equal(headPl.chunks.length, 0);
    assert.ok(Number(headPl.headers['content-length']) > 0);

    const segSize = seg.reduce((n, c) => n + c.length, 0);
    const ranged = await get(serving, variants, 'src/seg-abc-1.m4s', {}, { range: 'bytes=10-' });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers['content-range'], `bytes 10-${segSize - 1}/${segSize}`);
    assert.deepEqual(Buffer.concat(ranged.chunks), Buffer.concat(seg).subarray(10));
    assert.equal(ranged.chunks[0]!.buffer, s.chunks[0]!.buffer, 'a view of the shared segment Buffer, not a copy');
    const bad = await get(serving, variants, 'src/seg-abc-1.m4s', {}, { range: `bytes=${segSize}-` });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], `bytes */${segSize}`);

    const etag = String(s.headers.etag);
    const again = await get(serving, variants, 'src/seg-abc-1.m4s', {}, { 'if-none-match': etag, range: 'bytes=0-1' });
    assert.deepEqual([again.status, again.chunks.length], [304, 0]);
    const pl = await get(serving, variants, 'src/media.m3u8');
    const pl304 = await get(serving, variants, 'src/media.m3u8', {}, { 'if-none-match': `W/${String(pl.headers.etag)}` });
    assert.deepEqual([pl304.status, pl304.chunks.length], [304, 0]);
    assert.equal(pl304.headers.etag, pl.headers.etag);

    const gone = await get(serving, variants, 'src/seg-abc-999.m4s');
    assert.equal(gone.status, 404);
    assert.equal(gone.headers['cache-control'], 'no-store', 'a not-yet-available or expired name is never cached');
  } finally {
    r.close();
  }
});

test('a media playlist answer carries its stream\'s target duration, the source\'s for every rendition (the viewer\'s session time)', { skip }, async () => {
  const src = liveRendition();
  const abr = liveRendition();
  // An ABR rung whose own target differs (one long segment): its viewers still follow the stream's cadence.
  Object.defineProperty(abr.r, 'targetDuration', { value: src.r.targetDuration + 3 });
  const variants: Variant[] = [...src.variants, { id: '480p', rendition: abr.r, instance: 'def' }];
  const serving = new HlsServing();
  try {
    assert.ok(src.r.targetDuration >= 1);
    for (const path of ['src/media.m3u8', '480p/media.m3u8', 'src/ts.m3u8']) {
      const { ex, out } = exchange('GET');
      await serving.serve(ex, variants, parseHlsPath(path)!, {});
      assert.equal(out.status, 200, path);
      assert.equal(ex.targetDuration, src.r.targetDuration, path);
    }
    const master = exchange('GET');
    await serving.serve(master.ex, variants, parseHlsPath('index.m3u8')!, {});
    assert.equal(master.out.status, 200);
    assert.equal(master.ex.targetDuration, 0, 'a master playlist is not what a player reloads');
  } finally {
    src.r.close();
    abr.r.close();
  }
});

test('Cache-Control of playlists: half a target, LL 1 s, blocking answers several targets in shared caches only', () => {
  assert.equal(playlistCacheControl(2, false, false), 'public, max-age=1');
  assert.equal(playlistCacheControl(6, false, false), 'public, max-age=3');
  assert.equal(playlistCacheControl(1, true, false), 'public, max-age=1');
  assert.equal(playlistCacheControl(1, true, true), 'public, max-age=0, s-maxage=1');
  assert.equal(playlistCacheControl(2, true, true), 'public, max-age=0, s-maxage=2');
});

test('If-None-Match: lists, weak tags and * match; others do not', () => {
  assert.ok(matches('"a", W/"b"', '"b"'));
  assert.ok(matches('*', '"x"'));
  assert.ok(!matches('"a"', '"b"'));
  assert.ok(!matches(undefined, '"b"'));
});

/** Like `get`, on a response that takes prepared answers (the lean front's): what it was given, or what was written. */
async function getLean(serving: HlsServing, variants: Variant[], path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const { ex, out } = exchange('GET', headers);
  const prepared: PreparedAnswer[] = [];
  (ex.res as unknown as { endPrepared: (a: PreparedAnswer) => void }).endPrepared = (a) => void prepared.push(a);
  await serving.serve(ex, variants, parseHlsPath(path)!, query);
  return { out, prepared: prepared[0] };
}

/** The head of a whole answer as a header object (names lower-cased), and its body. */
function splitWire(wire: Buffer): { status: string; headers: Record<string, string>; body: Buffer } {
  const end = wire.indexOf('\r\n\r\n');
  const [line, ...fields] = wire.toString('latin1', 0, end).split('\r\n');
  return { status: line!, headers: Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf(':')).toLowerCase(), f.slice(f.indexOf(':') + 2)])), body: wire.subarray(end + 4) };
}

test('lean front: parts and playlists from prepared whole answers, the same headers and bytes as written ones; Range, If-None-Match and Origin handled', { skip }, async () => {
  const { variants } = liveRendition();
  const serving = new HlsServing();
  const written = await get(serving, variants, 'src/part-abc-1-0.m4s');
  const a = await getLean(serving, variants, 'src/part-abc-1-0.m4s');
  const b = await getLean(serving, variants, 'src/part-abc-1-0.m4s');
  assert.ok(a.prepared, 'a plain GET of a part takes the prepared answer');
  assert.equal(b.prepared, a.prepared, 'one prepared answer for every viewer of the part');
  const wire = splitWire(a.prepared.wire(5));
  assert.equal(wire.status, 'HTTP/1.1 200 OK');
  assert.deepEqual(wire.body, written.chunks[0]);
  for (const [name, value] of Object.entries(written.headers)) assert.equal(wire.headers[name], String(value), name);
  assert.equal(a.prepared.wire(5), b.prepared!.wire(5), 'one Buffer within the second');

  const ranged = await getLean(serving, variants, 'src/part-abc-1-0.m4s', {}, { range: 'bytes=0-9' });
  assert.equal(ranged.prepared, undefined);
  assert.equal(ranged.out.status, 206);
  const etag = String(written.headers.etag);
  const cached = await getLean(serving, variants, 'src/part-abc-1-0.m4s', {}, { 'if-none-match': etag });
  assert.equal(cached.prepared, undefined);
  assert.equal(cached.out.status, 304);
  const cors = await getLean(serving, variants, 'src/part-abc-1-0.m4s', {}, { origin: 'https://site.example' });
  assert.notEqual(cors.prepared, a.prepared);
  assert.equal(splitWire(cors.prepared!.wire(5)).headers['access-control-allow-origin'], 'https://site.example');

  const playlist = await get(serving, variants, 'src/media.m3u8');
  const leanPlaylist = await getLean(serving, variants, 'src/media.m3u8');
  assert.ok(leanPlaylist.prepared);
  const pw = splitWire(leanPlaylist.prepared.wire(5));
  assert.deepEqual(pw.body, playlist.chunks[0]);
  for (const [name, value] of Object.entries(playlist.headers)) assert.equal(pw.headers[name], String(value), name);
});

/** Lets every settled promise run its callbacks (a held answer would have been written by then). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A request without awaiting its answer: `out.ended` tells whether it was answered. */
function start(serving: HlsServing, variants: Variant[], query: Record<string, string>, headers: Record<string, string>, method = 'GET'): { out: Written; done: Promise<void> } {
  const { ex, out } = exchange(method, headers);
  return { out, done: Promise.resolve(serving.serve(ex, variants, parseHlsPath('src/media.m3u8')!, query)) };
}

test('a new viewer\'s first LL-HLS playlist is held until the start point PART-HOLD-BACK behind the edge is in an INDEPENDENT part; directives, HEAD and a client already seen are not held', { skip }, async () => {
  const { r, variants, feed } = liveRendition(READY_SEGMENTS, { ...low, keyframeStartMaxMs: 5_000 });
  const serving = new HlsServing();
  try {
    // A state where a player would start inside a non-keyframe part.
    while (r.startsOnKeyframe) assert.ok(feed());
    const first = start(serving, variants, {}, { 'user-agent': 'viewer-1' });
    await settle();
    assert.equal(first.out.ended, false, 'a new viewer\'s first playlist is held while the start point is not on a keyframe part');
    // Meanwhile: a blocking reload, a HEAD and a sibling's hop request from other clients are answered at once.
    const reload = start(serving, variants, { _HLS_msn: '1' }, { 'user-agent': 'viewer-2' });
    assert.equal(reload.out.ended, true, 'a blocking reload (its part listed) is answered at once');
    const head = start(serving, variants, {}, { 'user-agent': 'viewer-3' }, 'HEAD');
    assert.equal(head.out.ended, true, 'a HEAD is answered at once');
    // The same client asking again without directives (a classic player's reload) is not held either.
    const again = start(serving, variants, {}, { 'user-agent': 'viewer-1' });
    assert.equal(again.out.ended, true, 'a client seen lately is answered at once (a classic poller is never held on every reload)');
    assert.equal(startPoint(again.out.chunks[0]!.toString()).independent, false);
    let fed = 0;
    while (!first.out.ended) {
      assert.ok(feed(), 'the clip brings a keyframe part to the hold-back point');
      fed++;
      await settle();
    }
    await first.done;
    assert.ok(fed > 0);
    const answer = startPoint(first.out.chunks[0]!.toString());
    assert.equal(answer.independent, true, 'answered when the player\'s start point is in a keyframe part');
    assert.ok(answer.intoPart < 0.25, `and within one part of that keyframe (${answer.intoPart.toFixed(3)} s)`);
  } finally {
    r.close();
  }
});

test('a held first playlist is answered at the cap, at ENDLIST, and at once with the hold off', { skip }, async () => {
  const held = liveRendition(READY_SEGMENTS, { ...low, keyframeStartMaxMs: 2_000 });
  const off = liveRendition(READY_SEGMENTS);
  const leaving = liveRendition(READY_SEGMENTS, { ...low, keyframeStartMaxMs: 2_000 });
  const serving = new HlsServing();
  try {
    while (held.r.startsOnKeyframe) assert.ok(held.feed());
    const capped = start(serving, held.variants, {}, { 'user-agent': 'a' });
    await settle();
    assert.equal(capped.out.ended, false);
    held.timers.fire(); // keyframeStartMaxMs passed
    await capped.done;
    assert.equal(capped.out.status, 200, 'answered anyway at the cap (not an error)');
    const ended = start(serving, held.variants, {}, { 'user-agent': 'b' });
    await settle();
    assert.equal(ended.out.ended, false);
    held.r.close(); // idempotent with the finally below
    await ended.done;
    assert.equal(ended.out.ended, true, 'closing the rendition answers the held request');
    while (off.r.startsOnKeyframe) assert.ok(off.feed());
    const plain = start(serving, off.variants, {}, { 'user-agent': 'c' });
    assert.equal(plain.out.ended, true, 'without --hls-keyframe-start-ms: answered at once');
    // The publisher leaving answers a held first playlist at once, not at the cap.
    while (leaving.r.startsOnKeyframe) assert.ok(leaving.feed());
    const left = start(serving, leaving.variants, {}, { 'user-agent': 'd' });
    await settle();
    assert.equal(left.out.ended, false);
    leaving.r.publisherEnd();
    await settle();
    assert.equal(left.out.ended, true, 'answered when the publisher left');
  } finally {
    held.r.close();
    off.r.close();
    leaving.r.close();
  }
});

test('held first playlists take at most MAX_KEYFRAME_HOLDS waiter slots: joins past it are answered at once and blocking reloads still park', { skip }, async () => {
  const { r, variants, feed } = liveRendition(READY_SEGMENTS, { ...low, keyframeStartMaxMs: 5_000 });
  const serving = new HlsServing();
  try {
    while (r.startsOnKeyframe) assert.ok(feed());
    // A burst of new viewers as large as every slot there is.
    const joins = Array.from({ length: MAX_BLOCKED_REQUESTS }, (_, i) => start(serving, variants, {}, { 'user-agent': `joiner-${i}` }));
    await settle();
    const held = joins.filter((j) => !j.out.ended).length;
    assert.equal(held, MAX_KEYFRAME_HOLDS, `${held} held, the rest answered at once`);
    const ahead = r.window().lastCompleteMsn! + 2;
    const reload = start(serving, variants, { _HLS_msn: String(ahead) }, { 'user-agent': 'watching' });
    await settle();
    assert.equal(reload.out.ended, false, `a viewer's blocking reload still parks (status ${reload.out.status})`);
  } finally {
    r.close();
  }
});
