import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs } from './retry-delay.js';

const policy = { minMs: 1000, maxMs: 30_000 };

test('the delay doubles per failure up to the cap, half of it jittered', () => {
  const low = (n: number) => retryDelayMs(n, policy, () => 0);
  const high = (n: number) => retryDelayMs(n, policy, () => 1);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(low), [500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(high), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
});

test('huge attempt counts stay at the cap (no overflow to Infinity or NaN)', () => {
  assert.equal(retryDelayMs(10_000, policy, () => 1), 30_000);
  assert.equal(retryDelayMs(0, policy, () => 1), 1000, 'attempt 0 is treated as the first');
});

test('jitter spreads targets that failed together', () => {
  const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, policy)));
  assert.ok(delays.size > 10);
  for (const d of delays) assert.ok(d >= 2000 && d <= 4000, String(d));
});
