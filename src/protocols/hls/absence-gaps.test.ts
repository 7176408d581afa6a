import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAbsence } from './absence-gaps.js';
import { MIN_GAP_MS } from './limits.js';

test('an absence becomes EXT-X-GAP segments whose durations add up to it, each at most a segment target', () => {
  const p = planAbsence(10_000, 12_345, 1000, 12);
  assert.equal(p.gapsMs.length, 3);
  assert.equal(p.gapsMs.reduce((a, b) => a + b, 0), 2_345, 'the dates stay continuous: last end + gaps = new start');
  for (const g of p.gapsMs) assert.ok(g <= 1000 && g >= 781);
  assert.equal(p.firstPdt, 12_345);
});

test('a short absence is absorbed (dates continue); one longer than the window is not filled', () => {
  assert.deepEqual(planAbsence(10_000, 10_000 + MIN_GAP_MS - 1, 1000, 12), { gapsMs: [], firstPdt: 10_000 });
  assert.deepEqual(planAbsence(10_000, 30_000, 1000, 12), { gapsMs: [], firstPdt: 30_000 });
});
