import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_MERGED_READ_MS, ReadPacer } from './read-pacer.js';

/** A socket stand-in that records when it was resumed (mock-timer milliseconds). */
function fakeSocket(now: () => number) {
  const resumedAt: number[] = [];
  return { resumedAt, resume: () => resumedAt.push(now()) };
}

test('a drained socket is held for min(tolerance, max) and resumed by its group timer; short holds are skipped', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const now = () => Date.now();
  const pacer = new ReadPacer(200);
  const ll = fakeSocket(now);
  const ll2 = fakeSocket(now);
  const std = fakeSocket(now);
  const realtime = fakeSocket(now);
  const nobody = fakeSocket(now);
  const start = now();

  assert.equal(pacer.afterDrainingRead(ll, 100), false, 'held: the callback stops reading');
  t.mock.timers.tick(30);
  assert.equal(pacer.afterDrainingRead(ll2, 100), false);
  assert.equal(pacer.afterDrainingRead(std, 200), false);
  assert.equal(pacer.afterDrainingRead(nobody, Infinity), false, 'no consumers: held for the max');
  assert.equal(pacer.afterDrainingRead(realtime, 0), true, 'a real-time consumer: read on');
  assert.equal(pacer.afterDrainingRead(realtime, MIN_MERGED_READ_MS - 1), true, 'too short to be worth a hold');

  t.mock.timers.tick(69);
  assert.deepEqual([ll.resumedAt, ll2.resumedAt], [[], []]);
  t.mock.timers.tick(1);
  // One timer per interval: the socket held 30 ms later goes with the first one.
  assert.deepEqual([ll.resumedAt, ll2.resumedAt], [[start + 100], [start + 100]]);
  assert.deepEqual([std.resumedAt, nobody.resumedAt], [[], []]);
  t.mock.timers.tick(130);
  assert.deepEqual([std.resumedAt, nobody.resumedAt], [[start + 230], [start + 230]]);
  assert.deepEqual(realtime.resumedAt, []);
});

test('the group timer re-arms for the next hold, and close resumes everything held (idempotent)', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const now = () => Date.now();
  const pacer = new ReadPacer(100);
  const a = fakeSocket(now);
  const start = now();
  pacer.afterDrainingRead(a, 100);
  t.mock.timers.tick(100);
  pacer.afterDrainingRead(a, 100);
  t.mock.timers.tick(100);
  assert.deepEqual(a.resumedAt, [start + 100, start + 200]);

  pacer.afterDrainingRead(a, 100);
  pacer.close();
  assert.deepEqual(a.resumedAt, [start + 100, start + 200, start + 200], 'resumed at close, not left paused');
  pacer.close();
  t.mock.timers.tick(500);
  assert.equal(a.resumedAt.length, 3, 'no timer left behind');
});

test('max 0 never holds', () => {
  const pacer = new ReadPacer(0);
  assert.equal(pacer.afterDrainingRead({ resume: () => assert.fail('not held, never resumed') }, Infinity), true);
});
