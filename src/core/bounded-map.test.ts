import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setNewest } from './bounded-map.js';

test('setNewest: a re-set key becomes the newest; past the bound the oldest goes first', () => {
  const m = new Map<string, number>();
  setNewest(m, 'a', 1, 2);
  setNewest(m, 'b', 2, 2);
  setNewest(m, 'a', 3, 2); // a is now newer than b
  setNewest(m, 'c', 4, 2); // b, the oldest, goes
  assert.deepEqual([...m], [['a', 3], ['c', 4]]);
});

test('setNewest: a map already over a lowered bound is cut down to it', () => {
  const m = new Map([[1, 1], [2, 2], [3, 3]]);
  setNewest(m, 4, 4, 1);
  assert.deepEqual([...m], [[4, 4]]);
});
