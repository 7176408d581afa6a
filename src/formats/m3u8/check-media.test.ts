import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MEDIA_PLAYLIST_RULES, type MediaPlaylistRule, checkMediaPlaylist } from './check-media.js';
import type { MediaPlaylist, MediaSegment } from './types.js';

const parts = (msn: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ uri: `s${msn}.${i}.m4s`, duration: 0.5, ...(i === 0 ? { independent: true } : {}) }));
const seg = (msn: number, extra: Partial<MediaSegment> = {}): MediaSegment => ({ uri: `s${msn}.m4s`, duration: 2, ...extra });

/** A clean LL-HLS playlist: 2 s segments of 0.5 s parts, MSN 5..8, one in progress. */
const CLEAN: MediaPlaylist = {
  version: 9, targetDuration: 2, mediaSequence: 5, discontinuitySequence: 1, map: { uri: 'init.mp4' },
  serverControl: { canBlockReload: true, canSkipUntil: 12, holdBack: 6, partHoldBack: 1.5 }, partTarget: 0.5,
  segments: [seg(5), seg(6, { discontinuity: true }), seg(7, { parts: parts(7, 4) }), seg(8, { parts: parts(8, 4) })],
  partialSegment: { parts: parts(9, 2) },
  preloadHints: [{ type: 'PART', uri: 's9.2.m4s' }],
};

/** Asserts the checker reports exactly `rule` (once or more) and nothing else. */
const seen = new Set<string>();
function only(rule: MediaPlaylistRule, p: MediaPlaylist, previous?: MediaPlaylist): void {
  seen.add(rule);
  const found = checkMediaPlaylist(p, previous);
  assert.ok(found.length > 0, `expected ${rule}`);
  assert.deepEqual([...new Set(found.map((m) => m.split(':')[0]))], [rule], found.join('\n'));
}

test('a clean playlist has no violations, alone and against its predecessor', () => {
  assert.deepEqual(checkMediaPlaylist(CLEAN), []);
  const next: MediaPlaylist = { ...CLEAN, mediaSequence: 6, segments: CLEAN.segments.slice(1) };
  assert.deepEqual(checkMediaPlaylist(next, CLEAN), []);
});

test('each rule is caught', () => {
  only('EXTINF_OVER_TARGET', { ...CLEAN, segments: [seg(5, { duration: 2.5 }), ...CLEAN.segments.slice(1)] });
  assert.deepEqual(checkMediaPlaylist({ ...CLEAN, segments: [seg(5, { duration: 2.499 })] }), [], '2.499 rounds to 2');
  only('PART_OVER_TARGET', { ...CLEAN, partialSegment: { parts: [{ uri: 'x', duration: 0.51, independent: true }] } });
  only('PART_WITHOUT_PART_INF', { ...CLEAN, partTarget: undefined, serverControl: { ...CLEAN.serverControl, partHoldBack: undefined } });
  only('PART_HOLD_BACK', { ...CLEAN, serverControl: { ...CLEAN.serverControl, partHoldBack: 0.9 } });
  only('PART_HOLD_BACK', { ...CLEAN, serverControl: { ...CLEAN.serverControl, partHoldBack: undefined } });
  only('HOLD_BACK', { ...CLEAN, serverControl: { ...CLEAN.serverControl, holdBack: 5.9 } });
  only('CAN_SKIP_UNTIL', { ...CLEAN, serverControl: { ...CLEAN.serverControl, canSkipUntil: 11 } });
  only('SKIP_WITHOUT_CAN_SKIP', { ...CLEAN, skippedSegments: 1, segments: CLEAN.segments.slice(1), serverControl: { ...CLEAN.serverControl, canSkipUntil: undefined } });
  only('VERSION_TOO_LOW', { ...CLEAN, version: 5 });
  only('VERSION_TOO_LOW', { ...CLEAN, version: 8, skippedSegments: 1, segments: CLEAN.segments.slice(1) });
  only('PART_NOT_INDEPENDENT', { ...CLEAN, partialSegment: { parts: parts(9, 2).map(({ uri, duration }) => ({ uri, duration })) } });
  only('ENDLIST_WITH_PENDING', { ...CLEAN, endList: true });
});

test('rules spanning reloads: media sequence and discontinuity sequence', () => {
  only('MEDIA_SEQUENCE', { ...CLEAN, mediaSequence: 4 }, CLEAN);
  only('MEDIA_SEQUENCE', { ...CLEAN, segments: [seg(5, { uri: 'other.m4s' }), ...CLEAN.segments.slice(1)] }, CLEAN);
  // Sliding segment 6 (with its DISCONTINUITY) out must bump the discontinuity sequence.
  const slid = { ...CLEAN, mediaSequence: 7, segments: CLEAN.segments.slice(2) };
  only('DISCONTINUITY_SEQUENCE', slid, CLEAN);
  assert.deepEqual(checkMediaPlaylist({ ...slid, discontinuitySequence: 2 }, CLEAN), []);
  only('DISCONTINUITY_SEQUENCE', { ...CLEAN, discontinuitySequence: 2 }, CLEAN);
  // A delta update is compared by media sequence number, past its skipped head.
  const delta: MediaPlaylist = { ...CLEAN, skippedSegments: 2, segments: CLEAN.segments.slice(2) };
  assert.deepEqual(checkMediaPlaylist(delta, CLEAN), []);
  only('MEDIA_SEQUENCE', { ...delta, segments: [seg(7, { duration: 1 }), ...delta.segments.slice(1)] }, CLEAN);
});

test('every rule was provoked by a case above (runs last)', () => {
  assert.deepEqual([...seen].sort(), Object.keys(MEDIA_PLAYLIST_RULES).sort());
});
