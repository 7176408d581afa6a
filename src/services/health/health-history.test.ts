import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthHistory, type HealthSample } from './health-history.js';
import { HISTORY_SAMPLES } from './limits.js';

const states = ['healthy', 'warning', 'critical', 'offline'] as const;
const sample = (i: number): HealthSample => ({
  t: 1_700_000_000_000 + i * 1000,
  videoKbps: i % 3 === 0 ? null : 2500 + i,
  audioKbps: i % 5 === 0 ? null : 128,
  fps: i % 7 === 0 ? null : 29.97,
  keyframeIntervalMs: i % 2 === 0 ? null : 2000,
  viewers: i,
  state: states[i % 4]!,
});

test('history keeps the last samples, oldest first, every field (nulls included) as it was pushed', () => {
  const h = new HealthHistory();
  assert.deepEqual(h.samples(), []);
  for (let i = 0; i < 3; i++) h.push(sample(i));
  assert.deepEqual(h.samples(), [sample(0), sample(1), sample(2)]);
  for (let i = 3; i < HISTORY_SAMPLES + 17; i++) h.push(sample(i));
  const all = h.samples();
  assert.equal(all.length, HISTORY_SAMPLES);
  assert.deepEqual(all[0], sample(17));
  assert.deepEqual(all.at(-1), sample(HISTORY_SAMPLES + 16));
  assert.deepEqual(all, Array.from({ length: HISTORY_SAMPLES }, (_, k) => sample(17 + k)));
});
