import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OnAirError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { DeferredWrites } from './deferred-writes.js';

const down = () => new OnAirError('ONAIR_ERR_UNAVAILABLE', 'database unavailable: test');

/** A fake database that is down until `up` is set; records what was written, in order. */
function fakeDb() {
  const state = { up: false, written: [] as string[] };
  const write = (name: string) => async () => {
    if (!state.up) throw down();
    state.written.push(name);
  };
  return { state, write };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check());
}

test('writes during an outage wait in order, later writes queue behind them, and all go through once the database is back', async () => {
  const w = new DeferredWrites(createLogger('silent'), { retryMinMs: 5, retryMaxMs: 20 });
  const { state, write } = fakeDb();
  await w.run('start', write('start'));
  await w.run('end', write('end'));
  assert.equal(w.pending, 2);
  state.up = true;
  await w.run('later', write('later')); // the database is up, but earlier writes come first
  await until(() => w.pending === 0);
  assert.deepEqual(state.written, ['start', 'end', 'later']);
  w.close();
});

test('past the cap new writes are dropped; a queued write failing for another reason is dropped, not retried', async () => {
  const w = new DeferredWrites(createLogger('silent'), { max: 3, retryMinMs: 5, retryMaxMs: 20 });
  const { state, write } = fakeDb();
  let badTries = 0;
  await w.run('a', write('a'));
  await w.run('bad', async () => {
    badTries++;
    if (!state.up) throw down();
    throw new Error('duplicate key');
  });
  for (const n of ['b', 'c']) await w.run(n, write(n));
  assert.equal(w.pending, 3);
  state.up = true;
  await until(() => w.pending === 0);
  assert.deepEqual(state.written, ['a', 'b']);
  assert.equal(badTries, 1); // queued behind 'a', tried once the database was up
  w.close();
});

test('while the database is up a write runs at once and nothing is queued', async () => {
  const w = new DeferredWrites(createLogger('silent'));
  const { state, write } = fakeDb();
  state.up = true;
  await w.run('x', write('x'));
  assert.deepEqual(state.written, ['x']);
  assert.equal(w.pending, 0);
  w.close();
});

test('a caller waiting on a write hears when it will never run: dropped at the cap, failed otherwise, or still queued at close', async () => {
  const w = new DeferredWrites(createLogger('silent'), { max: 2, retryMinMs: 5, retryMaxMs: 20 });
  const { state, write } = fakeDb();
  const lost: string[] = [];
  const run = (name: string, fn = write(name)) => w.run(name, fn, () => lost.push(name));
  await run('queued'); // down: waits
  await run('second');
  await run('over the cap');
  assert.deepEqual(lost, ['over the cap']);
  await run('also over the cap'); // still full
  state.up = true;
  await until(() => w.pending === 0);
  assert.deepEqual(state.written, ['queued', 'second']);
  await run('bad', async () => { throw new Error('constraint'); });
  assert.deepEqual(lost, ['over the cap', 'also over the cap', 'bad']);
  state.up = false;
  await run('left at close');
  w.close();
  assert.deepEqual(lost, ['over the cap', 'also over the cap', 'bad', 'left at close']);
  await run('after close');
  assert.deepEqual(lost.at(-1), 'after close');
});

test('settled: false while writes wait for the database (and while one is in flight), true once they are written', async () => {
  const w = new DeferredWrites(createLogger('silent'), { retryMinMs: 5, retryMaxMs: 20 });
  const { state, write } = fakeDb();
  assert.equal(await w.settled(0), true, 'nothing written yet');
  await w.run('end', write('end'));
  assert.equal(await w.settled(150), false, 'queued, the database down');
  let release!: () => void;
  const slow = w.run('slow', () => new Promise<void>((r) => (release = r)));
  state.up = true;
  await until(() => state.written.length === 1);
  // The queue is empty, but the direct write behind it has not settled.
  const settling = w.settled(5000, 50);
  await new Promise((r) => setTimeout(r, 100));
  release();
  await slow;
  assert.equal(await settling, true);
  w.close();
});
