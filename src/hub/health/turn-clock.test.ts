import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { TurnClock, turnClocks } from './turn-clock.js';
import { IngestMeter } from './ingest-meter.js';
import type { MediaPacket } from '../../core/media-packet.js';

/** A clock whose readings the test sets, counting how often it is read. */
function fakeTime(): { now: number; reads: number; read: () => number } {
  const t = { now: 1000, reads: 0, read: () => (t.reads++, t.now) };
  return t;
}

test('the reads of one turn share one reading; the next turn reads again', async () => {
  const t = fakeTime();
  const clock = new TurnClock(t.read, 16);
  assert.equal(clock.thisTurn(), 1000);
  t.now = 1007;
  assert.equal(clock.thisTurn(), 1000);
  assert.equal(clock.thisTurn(), 1000);
  assert.equal(t.reads, 1);
  await nextTurn();
  assert.equal(clock.thisTurn(), 1007);
  assert.equal(t.reads, 2);
});

test('a long turn reads again after maxShares calls', () => {
  const t = fakeTime();
  const clock = new TurnClock(t.read, 3);
  const seen: number[] = [];
  for (let i = 0; i < 7; i++) {
    seen.push(clock.thisTurn());
    t.now += 10;
  }
  // readings at calls 1, 4 and 7
  assert.deepEqual(seen, [1000, 1000, 1000, 1030, 1030, 1030, 1060]);
  assert.equal(t.reads, 3);
});

test('now() is always fresh and leaves the turn\'s reading alone', () => {
  const t = fakeTime();
  const clock = new TurnClock(t.read, 16);
  assert.equal(clock.thisTurn(), 1000);
  t.now = 1500;
  assert.equal(clock.now(), 1500);
  assert.equal(clock.thisTurn(), 1000);
});

test('publishes on one TurnClock share its readings, each counting from its own start', async () => {
  const t = fakeTime();
  const clocks = turnClocks(new TurnClock(t.read, 16));
  const a = clocks();
  t.now = 1250;
  const b = clocks();
  await nextTurn();
  t.now = 2000;
  assert.equal(a.elapsedThisTurn(), 1000);
  assert.equal(b.elapsedThisTurn(), 750);
  t.now = 2100;
  assert.equal(a.elapsed(), 1100);
  assert.equal(b.elapsedThisTurn(), 750);
});

const frame = (kind: 'video' | 'audio', dts: number): MediaPacket =>
  ({ kind, codec: kind === 'video' ? 'avc1' : 'mp4a', role: 'frame', dts, cts: 0, keyframe: true, data: Buffer.alloc(100) });

test('IngestMeter: a marked read takes its turn\'s shared reading, unmarked input fresh readings', () => {
  let turn = 0;
  let fresh = 0;
  const clock = { elapsed: () => (fresh++, 500), elapsedThisTurn: () => (turn++, 400) };
  const unmarked = new IngestMeter(clock, 2000);
  for (let dts = 0; dts < 1000; dts += 100) unmarked.record(frame('video', dts));
  assert.deepEqual([turn, fresh], [0, 10]);
  assert.equal(unmarked.video.lastArrival, 500);
  fresh = 0;
  const marked = new IngestMeter(clock, 2000);
  for (let dts = 0; dts < 1000; dts += 200) {
    marked.received();
    marked.record(frame('video', dts));
    marked.record(frame('audio', dts + 100));
  }
  // one reading per read, none per message
  assert.deepEqual([turn, fresh], [5, 0]);
  assert.equal(marked.audio.lastArrival, 400);
});
