import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMediaPlaylist, type MediaPlaylist, type MediaSegment } from '../../src/formats/m3u8/index.js';
import { MediaObjects } from '../../bench/lib/http/media-objects.js';
import { PlaylistScanner } from '../../bench/lib/http/playlist-scan.js';

const PLAYLIST_PATH = '/hls/bench/src/media.m3u8?token=t';
const parts = (msn: number, n: number) => Array.from({ length: n }, (_, i) => ({ uri: `part-a-${msn}-${i}.m4s?token=t`, duration: 0.2, ...(i === 0 ? { independent: true } : {}) }));
const segment = (msn: number, withParts: boolean): MediaSegment => ({ uri: `seg-a-${msn}.m4s?token=t`, duration: 2, ...(withParts ? { parts: parts(msn, 10) } : {}) });

/** What OnAir's renderer writes for an LL-HLS stream at media sequence 10 (segments 10..12), in the spec's form. */
function llhls(extra: Partial<MediaPlaylist>, partialParts: number): string {
  return renderMediaPlaylist({
    version: 9, targetDuration: 2, mediaSequence: 10, independentSegments: true, map: { uri: 'init-a-0.mp4?token=t' },
    serverControl: { canBlockReload: true, partHoldBack: 0.6, canSkipUntil: 12 }, partTarget: 0.24,
    segments: [segment(10, false), segment(11, true), segment(12, true)],
    ...(partialParts > 0 ? { partialSegment: { parts: parts(13, partialParts) } } : {}),
    preloadHints: [{ type: 'PART', uri: `part-a-13-${partialParts}.m4s?token=t` }],
    ...extra,
  });
}

test('LL-HLS: segments and parts numbered from the media sequence, paths resolved, next part after the open segment\'s last', () => {
  const scanner = new PlaylistScanner(new MediaObjects(), PLAYLIST_PATH);
  const p = scanner.scan(llhls({}, 3), 1000);
  assert.equal(p.targetDurationSec, 2);
  assert.equal(p.partTargetSec, 0.24);
  assert.equal(p.canBlockReload, true);
  assert.equal(p.canSkipUntilSec, 12);
  assert.equal(p.mapPath, '/hls/bench/src/init-a-0.mp4?token=t');
  assert.deepEqual(p.segments.map((s) => [s.msn, s.path]), [10, 11, 12].map((m) => [m, `/hls/bench/src/seg-a-${m}.m4s?token=t`]));
  assert.equal(p.parts.length, 23);
  assert.deepEqual(p.parts.map((x) => [x.msn, x.index]).slice(-4), [[12, 9], [13, 0], [13, 1], [13, 2]]);
  assert.ok(p.parts.every((x) => x.path === `/hls/bench/src/part-a-${x.msn}-${x.index}.m4s?token=t` && x.key === x.msn * 1000 + x.index));
  assert.deepEqual(p.parts.map((x) => x.object.durationSec).slice(0, 2), [0.2, 0.2]);
  assert.equal(p.preloadHintPath, '/hls/bench/src/part-a-13-3.m4s?token=t');
  assert.deepEqual(p.next, { msn: 13, part: 3 });
  assert.equal(p.ended, false);
});

test('LL-HLS at a segment boundary (no part of the next segment yet): next is part 0 of the next segment (hls.js)', () => {
  const p = new PlaylistScanner(new MediaObjects(), PLAYLIST_PATH).scan(llhls({}, 0), 0);
  assert.deepEqual(p.parts.at(-1)!.msn, 12);
  assert.deepEqual(p.next, { msn: 13, part: 0 });
});

test('delta update: msn counts the skipped segments', () => {
  const text = llhls({ skippedSegments: 1, segments: [segment(11, true), segment(12, true)] }, 1);
  assert.match(text, /#EXT-X-SKIP:SKIPPED-SEGMENTS=1/);
  const p = new PlaylistScanner(new MediaObjects(), PLAYLIST_PATH).scan(text, 0);
  assert.deepEqual(p.segments.map((s) => s.msn), [11, 12]);
  assert.deepEqual(p.parts[0]!.msn, 11);
  assert.deepEqual(p.next, { msn: 13, part: 1 });
});

test('an nginx-rtmp playlist: TS segments numbered from the media sequence, no parts, next is the next segment', () => {
  const text = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\nbench-7.ts\n#EXTINF:2.000,\nbench-8.ts\n';
  const p = new PlaylistScanner(new MediaObjects(), '/hls/bench.m3u8').scan(text, 0);
  assert.deepEqual(p.segments.map((s) => [s.msn, s.path, s.object.durationSec]), [[7, '/hls/bench-7.ts', 2], [8, '/hls/bench-8.ts', 2]]);
  assert.deepEqual(p.parts, []);
  assert.equal(p.canBlockReload, false);
  assert.deepEqual(p.next, { msn: 9, part: undefined });
});

test('CRLF line ends, absolute URIs and root paths resolve to request paths; ENDLIST seen', () => {
  const text = '#EXTM3U\r\n#EXT-X-TARGETDURATION:4\r\n#EXTINF:4,\r\nhttp://127.0.0.1:9/a/b.ts\r\n#EXTINF:4,\r\n/c/d.ts\r\n#EXT-X-ENDLIST\r\n';
  const p = new PlaylistScanner(new MediaObjects(), '/x/y.m3u8').scan(text, 0);
  assert.deepEqual(p.segments.map((s) => [s.msn, s.path]), [[0, '/a/b.ts'], [1, '/c/d.ts']]);
  assert.equal(p.ended, true);
});

test('a text is scanned once; its objects appear when first listed, and keep that time in later playlists', () => {
  const objects = new MediaObjects();
  const scanner = new PlaylistScanner(objects, PLAYLIST_PATH);
  const first = scanner.scan(llhls({}, 2), 100);
  assert.equal(scanner.scan(llhls({}, 2), 200), first);
  const later = scanner.scan(llhls({}, 3), 300);
  assert.notEqual(later, first);
  assert.equal(later.parts.at(-2)!.object, first.parts.at(-1)!.object);
  assert.equal(later.parts.at(-2)!.object.firstListedAt, 100);
  assert.equal(later.parts.at(-1)!.object.firstListedAt, 300);
});

test('the stream rate counts each object once, from its first whole answer', () => {
  const objects = new MediaObjects();
  const a = objects.listed('/a', 2, 0);
  const b = objects.listed('/b', 2, 0);
  assert.equal(objects.bytesPerSecond, undefined);
  objects.received(a, 1000);
  objects.received(a, 1000);
  objects.received(b, 3000);
  assert.equal(objects.bytesPerSecond, 1000);
});
