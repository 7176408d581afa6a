import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimestampNormalizer } from './timestamp-normalizer.js';

test('32-bit wrap unfolds into a continuous timeline', () => {
  const n = new TimestampNormalizer(0);
  const raw = [2 ** 32 - 40, 2 ** 32 - 7, 26, 59];
  assert.deepEqual(raw.map((r) => n.normalize('video', r)), [0, 33, 66, 99]);
  assert.equal(n.stats.wraps, 1);
});

test('the 24-bit boundary (extended timestamps) is just a number', () => {
  const n = new TimestampNormalizer(0);
  assert.deepEqual([0xfffffe, 0xffffff, 0x1000000].map((r) => n.normalize('audio', r)), [0, 1, 2]);
});

test('a jump forward or back is repaired and counted; small reordering across tracks is kept', () => {
  const n = new TimestampNormalizer(0);
  assert.equal(n.normalize('video', 1000), 0);
  assert.equal(n.normalize('audio', 990), -10);
  assert.equal(n.normalize('video', 500_000), 1);
  assert.equal(n.normalize('video', 500_033), 34);
  assert.equal(n.normalize('audio', 500_040), 41);
  assert.equal(n.normalize('video', 10), 42); // encoder restart
  assert.equal(n.stats.jumps, 2);
});

test('dts going back within a track is clamped and counted', () => {
  const n = new TimestampNormalizer(100);
  n.normalize('video', 0);
  n.normalize('video', 40);
  assert.equal(n.normalize('video', 30), 140);
  assert.equal(n.stats.nonMonotonic, 1);
});
