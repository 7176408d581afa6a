import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrivalClock } from './arrival-clock.js';

const tickOver = (t: number): void => {
  while (performance.now() === t) { /* wait for the clock to move */ }
};

test('messages handed over in one callback share one arrival time; the next callback reads the clock again', async () => {
  const clock = new ArrivalClock();
  const first = clock.now();
  tickOver(first);
  assert.equal(clock.now(), first, 'same callback: the cached reading');
  await new Promise((r) => setImmediate(r));
  const next = clock.now();
  assert.ok(next > first, 'a later callback: a fresh reading');
  tickOver(next);
  await Promise.resolve(); // the expiry microtask has run
  assert.ok(clock.now() > next);
});
