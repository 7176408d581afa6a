import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TrackMeter, TrackWindows } from './track-meter.js';
import { LONG_WINDOW_S, MEDIA_RING_SECONDS, SHORT_WINDOW_S } from './limits.js';

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

/** Mostly a steady pace (what a live encoder sends), now and then a small step back or a jump of up to 70 s either way. */
const paceArb = fc.tuple(
  fc.integer({ min: 0, max: 5_000_000 }),
  fc.array(fc.record({
    step: fc.oneof(
      { weight: 300, arbitrary: fc.integer({ min: 0, max: 120 }) },
      { weight: 4, arbitrary: fc.integer({ min: -2500, max: -1 }) },
      { weight: 1, arbitrary: fc.integer({ min: -70_000, max: 70_000 }) },
    ),
    bytes: fc.integer({ min: 1, max: 100_000 }), keyframe: fc.boolean(), read: fc.integer({ min: 0, max: 30 }),
  }), { minLength: 100, maxLength: 800, size: 'max' }),
);

/** What one pass over the ring reads after these frames: a fresh meter's first reading (the way every reading was made before readings were updated). */
function onePass(frames: readonly Frame[]): TrackWindows {
  const meter = new TrackMeter(true);
  frames.forEach((f, i) => meter.record(f.dts, f.bytes, f.keyframe, i));
  const w = new TrackWindows();
  meter.measure(w);
  return w;
}

test('readings taken as frames arrive (updated from the last reading, or summed again) equal one pass over the ring, and the definition while no timestamp steps back past the ring', () => {
  fc.assert(fc.property(paceArb, ([start, steps]) => {
    const meter = new TrackMeter(true);
    const frames: Frame[] = [];
    const w = new TrackWindows();
    let dts = start;
    let jumped = false;
    let highest = -Infinity;
    steps.forEach((s, i) => {
      dts = Math.max(0, dts + s.step);
      // Back more than a few seconds below the newest timestamp so far, the seconds written ahead have taken ring
      // slots of seconds still in the windows: the ring (one pass as much as an update) no longer holds what the
      // definition counts.
      highest = Math.max(highest, dts);
      jumped ||= highest - dts > 3000;
      const f = { dts, bytes: s.bytes, keyframe: s.keyframe };
      frames.push(f);
      meter.record(f.dts, f.bytes, f.keyframe, i);
      // a reading every ~15 frames on average, at random
      if (s.read === 0 || s.read === 1) {
        meter.measure(w);
        assert.deepEqual({ ...w }, { ...onePass(frames) }, `after frame ${i}`);
        if (!jumped) assert.deepEqual({ ...w }, { ...reference(frames) }, `after frame ${i}`);
      }
    });
  }), { numRuns: 100 });
});

test('a timestamp that jumps ahead and comes back between two readings: the next reading sums the ring again', () => {
  const meter = new TrackMeter(true);
  const frames: Frame[] = [];
  const w = new TrackWindows();
  const add = (dts: number): void => {
    const f = { dts, bytes: 1000 + (dts % 7), keyframe: dts % 2000 === 0 };
    frames.push(f);
    meter.record(f.dts, f.bytes, f.keyframe, frames.length);
  };
  for (let dts = 0; dts < 80_000; dts += 40) add(dts);
  meter.measure(w);
  // 30 s ahead: its slot was second 46's, still inside the 60 s window; then back to where it was
  add(110_000);
  add(80_000);
  meter.measure(w);
  assert.deepEqual({ ...w }, { ...onePass(frames) });
  for (let dts = 80_040; dts < 150_000; dts += 40) {
    add(dts);
    if (dts % 1000 === 0) {
      meter.measure(w);
      assert.deepEqual({ ...w }, { ...onePass(frames) }, `at ${dts}`);
    }
  }
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

test('ring slots wrap: a second MEDIA_RING_SECONDS after another takes its slot and only its own frames count', () => {
  const meter = new TrackMeter(true);
  // one 1000-byte frame a second for seconds 0..63, then seconds 64..70 at 10 bytes: seconds 0..6 are overwritten
  for (let s = 0; s < MEDIA_RING_SECONDS; s++) meter.record(s * 1000 + 500, 1000, s % 2 === 0, s);
  for (let s = MEDIA_RING_SECONDS; s <= MEDIA_RING_SECONDS + 6; s++) meter.record(s * 1000 + 500, 10, false, s);
  const w = new TrackWindows();
  meter.measure(w);
  // the 10 s window ending before second 70 holds 60..69: 60..63 at 1000 bytes, 64..69 at 10
  assert.equal(w.shortBytes, 4 * 1000 + 6 * 10);
  assert.equal(w.oneBytes, 10);
  // 60 s: 10..69
  assert.equal(w.longBytes, 54 * 1000 + 6 * 10);
  // a step back to second 2, whose slot now holds 66: second 2 takes the slot afresh (its 7 bytes are not added to
  // 66's sums, and 66's are not counted for 2); 66 is gone from the windows, as the ring documents
  meter.record(2 * 1000 + 100, 7, false, 71);
  meter.record((MEDIA_RING_SECONDS + 7) * 1000 + 100, 10, false, 72);
  meter.measure(w);
  assert.equal(w.oneBytes, 10);
  // 61..70: 61..63 at 1000, 64..70 at 10 but 66
  assert.equal(w.shortBytes, 3 * 1000 + 6 * 10);
});

test('alignment is the earliest arrival - dts over the last 10 evaluations, kept as readings enter and leave (only a leaving minimum reads the window again)', () => {
  fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: -5000, max: 5000 }), { maxLength: 4 }), { minLength: 1, maxLength: 60 }), (ticks) => {
    const meter = new TrackMeter(true);
    const minima: number[] = [];
    let dts = 0;
    for (const offsets of ticks) {
      for (const offset of offsets) {
        dts += 10;
        meter.record(dts, 100, false, dts + offset);
      }
      meter.tick();
      minima.push(offsets.length === 0 ? Infinity : Math.min(...offsets));
      const expected = Math.min(...minima.slice(-10));
      assert.equal(meter.alignment, expected === Infinity ? null : expected);
    }
  }), { numRuns: 300 });
});
