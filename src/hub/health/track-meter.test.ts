import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TrackMeter, TrackWindows } from './track-meter.js';
import { LONG_WINDOW_S, SHORT_WINDOW_S } from './limits.js';

interface Frame { readonly dts: number; readonly bytes: number; readonly keyframe: boolean }

/** The windows as their definition reads, from the frames themselves: what the one-pass ring reading must equal. */
function reference(frames: readonly Frame[]): TrackWindows {
  const w = new TrackWindows();
  if (frames.length === 0) return w;
  const newest = Math.floor(frames[frames.length - 1]!.dts / 1000);
  const first = Math.ceil(frames[0]!.dts / 1000);
  const sum = (n: number): [number, number, number] => {
    const from = Math.max(first, newest - n);
    if (from >= newest) return [0, 0, 0];
    const inside = frames.filter((f) => Math.floor(f.dts / 1000) >= from && Math.floor(f.dts / 1000) < newest);
    return [newest - from, inside.reduce((a, f) => a + f.bytes, 0), inside.length];
  };
  [w.oneSeconds, w.oneBytes, w.oneFrames] = sum(1);
  [w.shortSeconds, w.shortBytes, w.shortFrames] = sum(SHORT_WINDOW_S);
  [w.longSeconds, w.longBytes, w.longFrames] = sum(LONG_WINDOW_S);
  let lastKey = NaN;
  for (const f of frames) {
    if (!f.keyframe) continue;
    const ends = Math.floor(f.dts / 1000);
    if (!Number.isNaN(lastKey) && ends >= newest - LONG_WINDOW_S && ends <= newest) w.keyMax = Math.max(w.keyMax, f.dts - lastKey);
    lastKey = f.dts;
  }
  return w;
}

const framesArb = fc.tuple(
  fc.integer({ min: 0, max: 5_000_000 }),
  fc.array(fc.record({ step: fc.integer({ min: -1500, max: 3000 }), bytes: fc.integer({ min: 1, max: 100_000 }), keyframe: fc.boolean() }), { maxLength: 400 }),
).map(([start, steps]) => {
  let dts = start;
  return steps.map((s): Frame => ({ dts: (dts += s.step), bytes: s.bytes, keyframe: s.keyframe }));
});

test('measure reads the 1 s, 10 s and 60 s windows and the 60 s keyframe maximum in one pass, equal to their definition (timestamps may step back)', () => {
  fc.assert(fc.property(framesArb, (frames) => {
    const meter = new TrackMeter(true);
    frames.forEach((f, i) => meter.record(f.dts, f.bytes, f.keyframe, i));
    const w = new TrackWindows();
    meter.measure(w);
    assert.deepEqual({ ...w }, { ...reference(frames) });
  }), { numRuns: 300 });
});

test('measure overwrites every field: a reading after a long gap leaves nothing of the one before', () => {
  const meter = new TrackMeter(true);
  for (let dts = 0; dts < 30_000; dts += 40) meter.record(dts, 1000, dts % 2000 === 0, dts);
  const w = new TrackWindows();
  meter.measure(w);
  assert.equal(w.shortSeconds, 10);
  assert.equal(w.shortFrames, 250);
  assert.equal(w.keyMax, 2000);
  meter.record(200_000, 1000, false, 200_000); // 170 s later: every window is empty seconds
  meter.measure(w);
  assert.deepEqual({ ...w }, { ...new TrackWindows(), oneSeconds: 1, shortSeconds: 10, longSeconds: 60 });
});
