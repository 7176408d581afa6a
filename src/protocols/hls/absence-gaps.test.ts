import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAbsence } from './absence-gaps.js';
import { MAX_ABSENCE_GAPS, MIN_GAP_MS } from './limits.js';

test('an absence becomes EXT-X-GAP segments whose durations add up to it, each at most a segment target', () => {
  const p = planAbsence(10_000, 12_345, 1000, 12);
  assert.equal(p.gapsMs.length, 3);
  assert.equal(p.gapsMs.reduce((a, b) => a + b, 0), 2_345, 'the dates stay continuous: last end + gaps = new start');
  for (const g of p.gapsMs) assert.ok(g <= 1000 && g >= 781);
  assert.equal(p.firstPdt, 12_345);
});

test('a short absence is absorbed (dates continue)', () => {
  assert.deepEqual(planAbsence(10_000, 10_000 + MIN_GAP_MS - 1, 1000, 12), { gapsMs: [], firstPdt: 10_000 });
});

test('an absence longer than the playlist window is filled all the way back to where the players stand', () => {
  // 20 s at 1 s segments: more than a 4- or 12-segment window holds; the gaps still start at the last end.
  const p = planAbsence(10_000, 30_000, 1000, MAX_ABSENCE_GAPS);
  assert.equal(p.gapsMs.length, 20);
  assert.equal(p.gapsMs.reduce((a, b) => a + b, 0), 20_000);
  assert.equal(p.firstPdt, 30_000);
});

test('an absence beyond the gap bound is not filled: the new session keeps its wall-clock date', () => {
  const segmentMs = 1000;
  const longest = MAX_ABSENCE_GAPS * segmentMs;
  assert.equal(planAbsence(0, longest, segmentMs, MAX_ABSENCE_GAPS).gapsMs.length, MAX_ABSENCE_GAPS);
  assert.deepEqual(planAbsence(0, longest + 1, segmentMs, MAX_ABSENCE_GAPS), { gapsMs: [], firstPdt: longest + 1 });
});
