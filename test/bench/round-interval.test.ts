import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanInterval, ratioInterval, shuffled, t95 } from '../../bench/lib/round-interval.js';
import { seededRandom } from '../../src/protocols/srt/testing/seeded-random.js';

test('t quantiles: the table, and a monotone tail towards 1.96', () => {
  assert.equal(t95(1), 12.706);
  assert.equal(t95(4), 2.776);
  assert.equal(t95(30), 2.042);
  assert.ok(t95(31) < 2.042 && t95(31) > 1.96 && t95(1000) < t95(31));
  assert.throws(() => t95(0), RangeError);
});

test('mean interval: mean +- t * s / sqrt(n), by hand for 1, 2, 3', () => {
  const i = meanInterval([1, 2, 3]);
  const half = 4.303 * (1 / Math.sqrt(3)); // s = 1
  assert.equal(i.mean, 2);
  assert.ok(Math.abs(i.low - (2 - half)) < 1e-12 && Math.abs(i.high - (2 + half)) < 1e-12);
  assert.throws(() => meanInterval([1]), RangeError);
});

test('ratio interval: geometric mean, and swapping the roles inverts it exactly', () => {
  const r = [1.05, 0.97, 1.02, 1.01];
  const a = ratioInterval(r);
  const b = ratioInterval(r.map((x) => 1 / x));
  assert.ok(Math.abs(a.mean * b.mean - 1) < 1e-12);
  assert.ok(Math.abs(a.low * b.high - 1) < 1e-12 && Math.abs(a.high * b.low - 1) < 1e-12);
  assert.ok(a.low < a.mean && a.mean < a.high);
  assert.throws(() => ratioInterval([1, 0]), RangeError);
});

test('identical rounds give a zero-width interval; round-to-round spread widens it', () => {
  const same = ratioInterval([1.03, 1.03, 1.03]);
  assert.ok(Math.abs(same.low - 1.03) < 1e-12 && Math.abs(same.high - 1.03) < 1e-12);
  const spread = ratioInterval([1.06, 1.0, 1.03]);
  assert.ok(spread.low < 1 && spread.high > 1.06);
});

test('noise control: ratios of two identical servers (log-normal noise, no effect) are covered about 95 % of the time', () => {
  const random = seededRandom(7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  let covered = 0;
  const trials = 2000;
  for (let t = 0; t < trials; t++) {
    const ratios = Array.from({ length: 4 }, () => Math.exp(0.03 * normal()));
    const i = ratioInterval(ratios);
    if (i.low <= 1 && i.high >= 1) covered++;
  }
  assert.ok(covered / trials > 0.93 && covered / trials < 0.97, `coverage ${covered / trials}`);
});

test('shuffled: a permutation, reproducible from the seed, the input untouched', () => {
  const items = ['on', 'off', 'control'];
  const a = shuffled(items, seededRandom(3));
  assert.deepEqual([...a].sort(), [...items].sort());
  assert.deepEqual(shuffled(items, seededRandom(3)), a);
  assert.deepEqual(items, ['on', 'off', 'control']);
  const seen = new Set<string>();
  const random = seededRandom(5);
  for (let i = 0; i < 200; i++) seen.add(shuffled(items, random).join());
  assert.equal(seen.size, 6);
});
