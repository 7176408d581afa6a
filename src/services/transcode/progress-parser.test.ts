import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from './line-splitter.js';
import { MAX_LINE_LENGTH } from './limits.js';
import { ProgressParser } from './progress-parser.js';
import { SpeedMeter } from './speed-meter.js';

// What ffmpeg 5.1 prints with -progress pipe:1 (two blocks, the last one final).
const SAMPLE = 'frame=25\nfps=0.00\nstream_0_0_q=23.0\nbitrate=N/A\ntotal_size=4096\nout_time_us=1000000\nout_time_ms=1000000\n'
  + 'out_time=00:00:01.000000\ndup_frames=0\ndrop_frames=0\nspeed=0.98x\nprogress=continue\n'
  + 'frame=50\nout_time_us=N/A\nspeed=N/A\nprogress=end\n';

test('progress blocks parse; N/A values are reported as unknown', () => {
  const r = new ProgressParser().push(SAMPLE);
  assert.deepEqual(r, [
    { outTimeUs: 1_000_000, frame: 25, speed: 0.98, end: false },
    { outTimeUs: -1, frame: 50, speed: NaN, end: true },
  ]);
});

test('the same reports for every split point', () => {
  const whole = new ProgressParser().push(SAMPLE);
  const bytes = Buffer.from(SAMPLE);
  for (let i = 0; i <= bytes.length; i++) {
    const p = new ProgressParser();
    assert.deepEqual([...p.push(bytes.subarray(0, i)), ...p.push(bytes.subarray(i))], whole, `split at ${i}`);
  }
});

test('garbage without newlines costs bounded memory; CR ends a line', () => {
  const s = new LineSplitter();
  const lines = s.push('x'.repeat(MAX_LINE_LENGTH * 3 + 5));
  assert.equal(lines.length, 3);
  assert.ok(lines.every((l) => l.length === MAX_LINE_LENGTH));
  assert.deepEqual(s.push('\rnext\r\nlast\n'), ['xxxxx', 'next', 'last']);
  assert.deepEqual(new ProgressParser().push('=\nnovalue\nprogress=continue\n'), [{ outTimeUs: -1, frame: 0, speed: NaN, end: false }]);
});

test('speed meter: recent media/wall rate after warm-up; slow when it stays under the threshold', () => {
  const m = new SpeedMeter();
  for (let t = 0; t <= 20_000; t += 1000) m.add(t * 1000, t); // real time
  assert.equal(m.speed, 1);
  assert.equal(m.tooSlow, false);
  const slow = new SpeedMeter();
  for (let t = 0; t <= 20_000; t += 1000) slow.add(t * 800, t); // 0.8x
  assert.ok(Math.abs(slow.speed! - 0.8) < 1e-9);
  assert.equal(slow.tooSlow, true);
  const young = new SpeedMeter();
  for (let t = 0; t <= 4000; t += 1000) young.add(t * 500, t);
  assert.equal(young.speed, null, 'no verdict during warm-up');
});
