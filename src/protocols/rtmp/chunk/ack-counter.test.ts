import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckCounter } from './ack-counter.js';

test('no window: never due', () => {
  const acks = new AckCounter();
  assert.equal(acks.add(10_000_000), null);
  assert.equal(acks.sequenceNumber, 10_000_000);
});

test('due once per window, carrying the bytes received', () => {
  const acks = new AckCounter(1000);
  assert.equal(acks.add(999), null);
  assert.equal(acks.add(1), 1000);
  assert.equal(acks.add(500), null);
  assert.equal(acks.add(2600), 4100, 'several windows at once: one ack');
  assert.equal(acks.add(999), null);
});

test('the sequence number wraps at 2^32', () => {
  const acks = new AckCounter(0x1000_0000);
  let last: number | null = null;
  for (let i = 0; i < 17; i++) last = acks.add(0x1000_0000) ?? last;
  assert.equal(last, 0x1000_0000); // 17 * 2^28 mod 2^32
});

test('a new window size restarts the count', () => {
  const acks = new AckCounter(1000);
  acks.add(900);
  acks.setWindowSize(500);
  assert.equal(acks.add(400), null);
  assert.equal(acks.add(100), 1400);
});
