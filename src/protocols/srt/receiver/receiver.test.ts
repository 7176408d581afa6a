import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Receiver } from './receiver.js';
import { TsbpdClock } from './tsbpd-clock.js';
import type { AckInfo, LossRange } from '../packet/feedback.js';
import { SEQ_MAX, TIMESTAMP_MODULUS } from '../limits.js';
import { seqAdd } from '../sequence.js';

function harness(isn = 100, capacity = 64) {
  const out = { acks: [] as [number, AckInfo][], naks: [] as LossRange[][], delivered: [] as number[] };
  const clock = new TsbpdClock(0, 0, 100_000);
  const r = new Receiver(isn, capacity, clock, {
    sendAck: (n, i) => out.acks.push([n, i]),
    sendNak: (ranges) => out.naks.push(ranges.map((x) => ({ ...x }))),
    deliver: (p) => out.delivered.push(p.readUInt32BE(0)),
  }, 0);
  const data = (seq: number, ts: number, now: number, retransmitted = false) => {
    const p = Buffer.alloc(8);
    p.writeUInt32BE(seq, 0);
    r.onData(seq, ts, retransmitted, p, now);
  };
  return { r, out, data };
}

test('a gap gets one immediate NAK; the hole filled by a retransmission is counted as recovered', () => {
  const { r, out, data } = harness();
  data(100, 0, 0);
  data(103, 0, 1);
  assert.deepEqual(out.naks, [[{ from: 101, to: 102 }]]);
  data(102, 0, 2, true);
  data(101, 0, 3);
  assert.equal(r.stats.recoveredByRetransmit, 1);
  assert.equal(r.stats.reordered, 1);
  assert.equal(r.lossCount, 0);
  r.tick(100_000);
  assert.deepEqual(out.delivered, [100, 101, 102, 103]);
});

test('hostile sequence numbers: far ahead is overflow, behind is belated, repeats are duplicates; nothing is held', () => {
  const { r, out, data } = harness(100, 64);
  data(100, 0, 0);
  data(100 + 64, 0, 1);
  data(seqAdd(100, 2 ** 30 - 1), 0, 1);
  assert.equal(r.stats.overflow, 2);
  assert.deepEqual(out.naks, [], 'no loss recorded for packets outside the window');
  data(100, 0, 2);
  assert.equal(r.stats.duplicates, 1);
  r.tick(200_000);
  data(100, 0, 200_001);
  data(99, 0, 200_001);
  assert.equal(r.stats.belated, 2);
  assert.equal(r.bufferedPackets, 0);
});

test('a drop request stops the NAKs for its range and lets the head move on at once', () => {
  const { r, out, data } = harness();
  data(100, 0, 0);
  data(110, 0, 0);
  r.onDropRequest({ from: 101, to: 109 });
  assert.equal(r.lossCount, 0);
  r.tick(50_000);
  assert.deepEqual(out.delivered, [], 'not yet due');
  r.tick(100_000);
  assert.deepEqual(out.delivered, [100, 110]);
  assert.equal(r.stats.dropped, 9);
  r.onDropRequest({ from: 5000, to: 100 }); // backwards and beyond: ignored
});

test('full ACK every 10 ms only while the ACK point moves or is unconfirmed; light ACK every 64 packets', () => {
  const { r, out, data } = harness(SEQ_MAX - 10, 256);
  for (let i = 0; i < 130; i++) data(seqAdd(SEQ_MAX - 10, i), 0, i);
  const light = out.acks.filter(([n]) => n === 0);
  assert.equal(light.length, 2, 'light ACKs at 64 and 128 packets');
  r.tick(10_000);
  const full = out.acks.filter(([n]) => n > 0);
  assert.equal(full.length, 1);
  assert.equal(full[0]![1].ackSeq, seqAdd(SEQ_MAX - 10, 130), 'across the 31-bit wrap');
  assert.equal(r.onAckAck(full[0]![0], 14_000), 4_000, 'RTT sample from the ACKACK');
  assert.equal(r.onAckAck(full[0]![0], 15_000), -1, 'a repeated ACKACK gives nothing');
  r.tick(20_000);
  assert.equal(out.acks.filter(([n]) => n > 0).length, 1, 'confirmed and unchanged: no ACK');
});

test('TSBPD clock: 32-bit timestamp wrap and drift correction', () => {
  const c = new TsbpdClock(1_000_000, 0, 120_000);
  const late = TIMESTAMP_MODULUS - 1_000_000;
  c.observe(late);
  assert.equal(c.playTime(late), 1_000_000 + late + 120_000);
  // Just after the wrap, while still in the wrap window: the next period.
  assert.equal(c.playTime(500_000), 1_000_000 + TIMESTAMP_MODULUS + 500_000 + 120_000);
  c.observe(500_000);
  c.observe(40_000_000); // leaves the window: the base moves on by 2^32
  assert.equal(c.playTime(40_000_000), 1_000_000 + TIMESTAMP_MODULUS + 40_000_000 + 120_000);
  // A sender clock 8 ms behind ours on every ACKACK: after 1000 samples the base absorbs 5 ms, drift holds 3.
  const d = new TsbpdClock(0, 0, 0);
  for (let i = 0; i < 1000; i++) d.addDriftSample(i * 10_000, i * 10_000 + 8_000, 20_000);
  assert.equal(d.drift, 3_000);
  assert.equal(d.playTime(0), 8_000);
});
