import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEADLINE_GRAIN_MS, type ParkedWait, type ParkingClient, ReloadWaiters, type Timers } from './blocking-reload.js';

/** Timers on a clock moved by hand: `advance` fires what is due, in order. */
class ClockTimers implements Timers {
  t = 1_000;
  private next = 1;
  readonly pending = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  advance(ms: number): void {
    this.t += ms;
    for (;;) {
      const due = [...this.pending].filter(([, p]) => p.at <= this.t).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) return;
      this.pending.delete(due[0]);
      due[1].fn();
    }
  }
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

test('waiters parked in the same grain share one timer; each is answered true when ready, false at its deadline', async () => {
  const timers = new ClockTimers();
  const w = new ReloadWaiters(100, timers);
  let ready = false;
  const results: boolean[] = [];
  for (let i = 0; i < 50; i++) void w.wait(() => ready, 6000).then((ok) => results.push(ok));
  assert.equal(w.size, 50);
  assert.equal(w.timersArmed, 1, 'one timer for 50 requests of one moment');
  timers.advance(DEADLINE_GRAIN_MS); // a later grain: a second timer
  const late = w.wait(() => false, 6000);
  assert.equal(w.timersArmed, 2);
  ready = true;
  w.check();
  await settle();
  assert.deepEqual(results, Array(50).fill(true));
  assert.equal(w.timersArmed, 1, 'the answered grain\'s timer is cleared');
  assert.equal(timers.pending.size, 1);
  timers.advance(5900);
  await settle();
  assert.equal(w.size, 1, 'not before its deadline');
  timers.advance(2 * DEADLINE_GRAIN_MS);
  assert.equal(await late, false);
  assert.equal(w.size, 0);
  assert.equal(w.timersArmed, 0);
  assert.equal(timers.pending.size, 0);
});

test('a deadline is never early and at most one grain late; close() answers all false and leaves no timer', async () => {
  const timers = new ClockTimers();
  const w = new ReloadWaiters(10, timers);
  timers.t = 1_013;
  let answeredAt = -1;
  void w.wait(() => false, 3000).then(() => (answeredAt = timers.t));
  for (let step = 0; step < 3000 + DEADLINE_GRAIN_MS && answeredAt < 0; step++) {
    timers.advance(1);
    await settle();
  }
  assert.ok(answeredAt >= 1_013 + 3000 && answeredAt <= 1_013 + 3000 + DEADLINE_GRAIN_MS, `answered at ${answeredAt}`);
  const a = w.wait(() => false, 3000);
  const b = w.wait(() => false, 9000);
  w.close();
  assert.deepEqual([await a, await b], [false, false]);
  assert.equal(timers.pending.size, 0);
  assert.equal(await w.wait(() => false, 1000), false, 'closed: answered at once');
});

test('bounded: past max a waiter is answered false at once; ready at once is true without parking', async () => {
  const w = new ReloadWaiters(2, new ClockTimers());
  void w.wait(() => false, 1000);
  void w.wait(() => false, 1000);
  assert.equal(await w.wait(() => false, 1000), false);
  assert.equal(await w.wait(() => true, 1000), true);
  assert.equal(w.size, 2);
});

/** A connection as the waiters see it, keeping what they tell it. */
function client(): ParkingClient & { waits: Set<ParkedWait> } {
  const waits = new Set<ParkedWait>();
  return { waits, parked: (x) => void waits.add(x), unparked: (x) => void waits.delete(x) };
}

test('a client that leaves releases its parked waiter: its slot is free at once, its deadline timer goes with it', async () => {
  const timers = new ClockTimers();
  const w = new ReloadWaiters(2, timers);
  const clients = [client(), client()];
  const answers = clients.map((c) => w.wait(() => false, 1000, c));
  assert.equal(await w.wait(() => false, 1000), false, 'full');
  for (const c of clients) c.waits.values().next().value!.release();
  assert.deepEqual(await Promise.all(answers), [false, false]);
  assert.deepEqual([w.size, w.timersArmed, clients.map((c) => c.waits.size)], [0, 0, [0, 0]]);
  let ready = false;
  const honest = w.wait(() => ready, 1000, clients[0]);
  assert.equal(clients[0]!.waits.size, 1);
  ready = true;
  w.check();
  assert.equal(await honest, true, 'a later request parks and is answered');
  assert.equal(clients[0]!.waits.size, 0, 'answered: nothing left to release');
});
