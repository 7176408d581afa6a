import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elapsedSince, performanceClocks } from './arrival-clock.js';
import { IngestMeter } from './ingest-meter.js';
import type { MediaPacket } from '../../core/media-packet.js';

test('the server clock carries its origin, and a reading from the origin equals a call of the clock', () => {
  const clock = performanceClocks();
  assert.equal(typeof clock.origin, 'number');
  const before = clock();
  const inline = elapsedSince(clock.origin!);
  const after = clock();
  assert.ok(before <= inline && inline <= after, `${before} <= ${inline} <= ${after}`);
  assert.ok(Number.isInteger(inline));
});

test('on the server clock the meter stamps arrivals inline, on the same scale as the clock (a simulated clock is called)', async () => {
  const clock = performanceClocks();
  const meter = new IngestMeter(clock, 2000);
  const frame = { kind: 'video', codec: 'avc1', role: 'frame', dts: 0, cts: 0, keyframe: true, data: Buffer.alloc(10) } as MediaPacket;
  await new Promise((resolve) => setTimeout(resolve, 30));
  const before = clock();
  meter.received();
  meter.frame(frame, true, 0, 10, true);
  const after = clock();
  assert.ok(before <= meter.lastArrival && meter.lastArrival <= after, `${before} <= ${meter.lastArrival} <= ${after}`);
  assert.ok(meter.lastArrival >= 30);

  let simulated = 1234;
  const sim = new IngestMeter(() => simulated, 2000);
  sim.received();
  sim.frame(frame, true, 0, 10, true);
  assert.equal(sim.lastArrival, 1234);
  simulated = 5678;
  sim.received();
  sim.frame(frame, true, 100, 10, false);
  assert.equal(sim.lastArrival, 5678);
});
