import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { test } from 'node:test';
import { FlushScheduler, type Flushable } from './flush-scheduler.js';

function flushable(log: string[], name: string): Flushable {
  return { flushQueued: false, flush: () => log.push(name) };
}

test('flushSoon flushes once at the end of the turn, however often it is asked', async () => {
  const log: string[] = [];
  let rounds = 0;
  const s = new FlushScheduler(40, () => rounds++);
  const a = flushable(log, 'a');
  s.flushSoon(a);
  s.flushSoon(a);
  s.flushSoon(flushable(log, 'b'));
  assert.deepEqual(log, []);
  await turn();
  assert.deepEqual(log, ['a', 'b']);
  assert.equal(rounds, 1);
  assert.equal(a.flushQueued, false);
});

test('a held flushable goes out with the next round, or after maxHoldMs when none comes', async () => {
  const log: string[] = [];
  const s = new FlushScheduler(30);
  s.hold(flushable(log, 'held'));
  await turn();
  assert.deepEqual(log, [], 'hold does not flush at the end of the turn');
  s.flushSoon(flushable(log, 'video'));
  await turn();
  assert.deepEqual(log, ['held', 'video'], 'the next round takes the held one along');
  s.hold(flushable(log, 'alone'));
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(log, ['held', 'video', 'alone'], 'the hold timer bounds the wait');
});

test('a flushable queued while a round runs goes out in the following round', async () => {
  const log: string[] = [];
  const s = new FlushScheduler(40);
  const late = flushable(log, 'late');
  s.flushSoon({ flushQueued: false, flush: () => { log.push('first'); s.flushSoon(late); } });
  await turn();
  assert.deepEqual(log, ['first']);
  await turn();
  assert.deepEqual(log, ['first', 'late']);
});
