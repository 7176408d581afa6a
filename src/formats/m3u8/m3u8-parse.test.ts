import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isOnAirError } from '../../core/errors.js';
import { MAX_ATTRIBUTES, MAX_LINE_LENGTH, MAX_PLAYLIST_BYTES, MAX_PLAYLIST_LINES } from './limits.js';
import { parseMasterPlaylist } from './parse-master.js';
import { parseMediaPlaylist } from './parse-media.js';
import { renderMasterPlaylist } from './render-master.js';
import { renderMediaPlaylist } from './render-media.js';
import type { MediaPlaylist, MediaSegment, PartialSegment } from './types.js';

const uri = fc.stringMatching(/^[a-zA-Z0-9._/?=&,-]{1,24}$/);
/** Seconds with millisecond precision: what EXTINF (3 decimals) and parts (5) carry exactly. */
const seconds = (maxMs: number) => fc.integer({ min: 0, max: maxMs }).map((ms) => ms / 1000);
const pdt = fc.integer({ min: 0, max: 4_102_444_800_000 });
const part = fc.record({ uri, duration: seconds(2000), independent: fc.constant(true), gap: fc.constant(true) }, { requiredKeys: ['uri', 'duration'], noNullPrototype: true });
const parts = fc.array(part, { minLength: 1, maxLength: 4 });
const head = (withMap: boolean) => ({
  discontinuity: fc.constant(true),
  programDateTime: pdt,
  parts,
  ...(withMap ? { map: fc.record({ uri }, { noNullPrototype: true }) } : {}),
});

const playlist: fc.Arbitrary<MediaPlaylist> = fc.boolean().chain((hasMap) =>
  fc.record(
    {
      version: fc.integer({ min: 1, max: 12 }),
      targetDuration: fc.integer({ min: 0, max: 30 }),
      mediaSequence: fc.integer({ min: 0, max: 2 ** 40 }),
      discontinuitySequence: fc.nat(1000),
      independentSegments: fc.constant(true),
      playlistType: fc.constantFrom('EVENT' as const, 'VOD' as const),
      ...(hasMap ? { map: fc.record({ uri }, { noNullPrototype: true }) } : {}),
      serverControl: fc.record(
        { canBlockReload: fc.constant(true), canSkipUntil: seconds(100_000), holdBack: seconds(100_000), partHoldBack: seconds(10_000) },
        { requiredKeys: [], noNullPrototype: true },
      ),
      partTarget: seconds(5000),
      skippedSegments: fc.nat(100),
      segments: fc.array(
        fc.record(
          { uri, duration: seconds(30_000), title: fc.stringMatching(/^[^\r\n]{1,12}$/), gap: fc.constant(true), ...head(hasMap) },
          { requiredKeys: ['uri', 'duration'], noNullPrototype: true },
        ) as fc.Arbitrary<MediaSegment>,
        { maxLength: 6 },
      ),
      partialSegment: fc
        .record(head(hasMap), { requiredKeys: [], noNullPrototype: true })
        .filter((s) => Object.keys(s).length > 0) as fc.Arbitrary<PartialSegment>,
      preloadHints: fc.array(fc.record({ type: fc.constantFrom('PART' as const, 'MAP' as const), uri }, { noNullPrototype: true }), { minLength: 1, maxLength: 2 }),
      renditionReports: fc.array(fc.record({ uri, lastMsn: fc.nat(), lastPart: fc.nat(50) }, { requiredKeys: ['uri'], noNullPrototype: true }), { minLength: 1, maxLength: 2 }),
      endList: fc.constant(true),
    },
    // with a map, it is always the playlist-level one: a lone segment-level map on the first segment would
    // parse back as playlist-level (same meaning, different shape)
    { requiredKeys: ['version', 'targetDuration', 'mediaSequence', 'segments', ...(hasMap ? ['map' as const] : [])], noNullPrototype: true },
  ),
);

test('parseMediaPlaylist(renderMediaPlaylist(x)) deep-equals x', () => {
  fc.assert(fc.property(playlist, (p) => assert.deepEqual(parseMediaPlaylist(renderMediaPlaylist(p)), p)), { numRuns: 500 });
});

test('master playlist round trip', () => {
  const variant = fc.record(
    {
      uri, bandwidth: fc.nat(), averageBandwidth: fc.nat(),
      resolution: fc.record({ width: fc.integer({ min: 1, max: 8192 }), height: fc.integer({ min: 1, max: 8192 }) }, { noNullPrototype: true }),
      codecs: fc.stringMatching(/^[a-z0-9.,]{1,30}$/), frameRate: seconds(240_000),
    },
    { requiredKeys: ['uri', 'bandwidth'], noNullPrototype: true },
  );
  fc.assert(
    fc.property(fc.array(variant, { maxLength: 5 }), (variants) => {
      assert.deepEqual(parseMasterPlaylist(renderMasterPlaylist(variants)), { independentSegments: true, variants });
    }),
  );
});

test('any text parses to a playlist or throws a typed OnAirError', () => {
  const tagLines = fc.array(
    fc.oneof(
      fc.constantFrom('#EXTINF:', '#EXTINF:abc,', '#EXT-X-PART:URI="', '#EXT-X-PART:DURATION=1', '#EXT-X-MAP:URI=x', '#EXT-X-SKIP:',
        '#EXT-X-TARGETDURATION:-1', '#EXT-X-TARGETDURATION:4', '#EXT-X-PROGRAM-DATE-TIME:nope', '#EXT-X-PRELOAD-HINT:TYPE=X,URI="a"',
        '#EXT-X-STREAM-INF:BANDWIDTH=1', '#EXT-X-STREAM-INF:RESOLUTION=1x', 'a.ts', '', '#EXT-X-SERVER-CONTROL:A==,'),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 20 },
  );
  fc.assert(
    fc.property(tagLines, (ls) => {
      for (const parse of [parseMediaPlaylist, parseMasterPlaylist]) {
        try {
          parse(['#EXTM3U', ...ls].join('\n'));
        } catch (e) {
          assert.ok(isOnAirError(e), `untyped error ${String(e)}`);
        }
      }
    }),
    { numRuns: 2000 },
  );
});

test('bounded parser: named limits are enforced with ONAIR_ERR_LIMIT', () => {
  const limit = (text: string): void => assert.throws(() => parseMediaPlaylist(text), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  limit(`#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:1,\n${'a'.repeat(MAX_LINE_LENGTH + 1)}\n`);
  limit(`#EXTM3U\n${'\n'.repeat(MAX_PLAYLIST_LINES)}`);
  limit(`#EXTM3U\n#${' '.repeat(MAX_PLAYLIST_BYTES)}`);
  const attrs = Array.from({ length: MAX_ATTRIBUTES + 1 }, (_, i) => `X${i}=1`).join(',');
  limit(`#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-SERVER-CONTROL:${attrs}\n`);
});

test('malformed and truncated playlists give typed errors', () => {
  const bad = (text: string, code: 'ONAIR_ERR_MALFORMED' | 'ONAIR_ERR_TRUNCATED'): void =>
    assert.throws(() => parseMediaPlaylist(text), (e) => isOnAirError(e, code), text);
  bad('', 'ONAIR_ERR_MALFORMED');
  bad('#EXT-X-VERSION:3\n', 'ONAIR_ERR_MALFORMED');
  bad('#EXTM3U\n#EXT-X-VERSION:3\n', 'ONAIR_ERR_MALFORMED'); // no TARGETDURATION
  bad('#EXTM3U\n#EXT-X-TARGETDURATION:4\na.ts\n', 'ONAIR_ERR_MALFORMED');
  bad('#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n', 'ONAIR_ERR_TRUNCATED');
  bad('#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PART:DURATION=1\n', 'ONAIR_ERR_MALFORMED');
  bad('#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI="a\n', 'ONAIR_ERR_MALFORMED');
  bad('#EXTM3U\n#EXT-X-TARGETDURATION:4.5\n', 'ONAIR_ERR_MALFORMED');
  assert.throws(() => parseMasterPlaylist('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n'), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
});

test('writer refuses text that would break the line structure', () => {
  const base: MediaPlaylist = { version: 3, targetDuration: 4, mediaSequence: 0, segments: [] };
  for (const p of [
    { ...base, segments: [{ uri: 'a.ts\n#EXT-X-ENDLIST', duration: 1 }] },
    { ...base, map: { uri: 'x"y' } },
    { ...base, targetDuration: 4.5 },
    { ...base, mediaSequence: -1 },
  ]) {
    assert.throws(() => renderMediaPlaylist(p), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  }
});
