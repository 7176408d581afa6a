import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ABSENCE_GAPS } from './limits.js';
import { MediaWindow, type SegmentTags } from './media-window.js';

const tags = (discontinuity = false): SegmentTags => ({ discontinuity, initId: 1, programDateTime: 0, session: { id: 1, tracks: [] } });

function addMedia(w: MediaWindow, msn: number, discontinuity = false): void {
  w.addSegment({ msn, startMs: msn * 1000, durationMs: 1000, parts: [], bytes: 100, independent: true }, tags(discontinuity));
}

const listed = (w: MediaWindow): string => w.segments.map((s) => `${s.gap ? 'g' : 'm'}${s.msn}`).join(' ');

test('EXT-X-GAP segments are listed beside the window\'s media, not in its place: an absence longer than the window stays whole', () => {
  const w = new MediaWindow(3);
  for (let msn = 1; msn <= 3; msn++) addMedia(w, msn);
  for (let msn = 4; msn <= 10; msn++) w.addGap(msn, msn * 1000, 1000, tags());
  assert.equal(listed(w), 'm1 m2 m3 g4 g5 g6 g7 g8 g9 g10', 'seven gaps after a 3-segment window: none evicted, no media evicted for them');
  addMedia(w, 11, true);
  addMedia(w, 12);
  assert.equal(listed(w), 'm3 g4 g5 g6 g7 g8 g9 g10 m11 m12', 'new media evicts old media, one for one');
  addMedia(w, 13);
  assert.equal(listed(w), 'g4 g5 g6 g7 g8 g9 g10 m11 m12 m13');
  assert.equal(w.discontinuitySequence, 0);
  addMedia(w, 14);
  assert.equal(listed(w), 'm12 m13 m14', 'the gaps go with the media before them once the window\'s media follow');
  assert.equal(w.discontinuitySequence, 1, 'the discontinuity that slid out is counted');
  assert.equal(w.segment(12)?.msn, 12);
});

test('the gaps listed are bounded (MAX_ABSENCE_GAPS), whatever the window', () => {
  const w = new MediaWindow(3);
  addMedia(w, 1);
  let msn = 2;
  for (; msn < 2 + MAX_ABSENCE_GAPS + 50; msn++) w.addGap(msn, msn * 1000, 1000, tags());
  assert.equal(w.segments.filter((s) => s.gap).length, MAX_ABSENCE_GAPS);
  assert.equal(w.segments.length, MAX_ABSENCE_GAPS, 'the oldest went first: the media segment before them, then gaps');
  assert.equal(w.segments[0]!.msn, msn - MAX_ABSENCE_GAPS);
  assert.equal(w.totalBytes, 0);
});
