import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StableState } from './stable-state.js';

test('the first state is the baseline; a state flapping faster than the hold time is never announced', () => {
  const s = new StableState(5000);
  assert.equal(s.update('healthy', 0), undefined);
  assert.equal(s.current, 'healthy');
  for (let t = 1000; t < 30_000; t += 1000) {
    // warning for 4 s, healthy for 1 s, over and over: never held 5 s
    assert.equal(s.update(t % 5000 === 0 ? 'healthy' : 'warning', t), undefined, `t=${t}`);
  }
  assert.equal(s.current, 'healthy');
});

test('a state held for the hold time is announced once, with the one it replaced', () => {
  const s = new StableState(3000);
  s.update('healthy', 0);
  assert.equal(s.update('critical', 1000), undefined);
  assert.equal(s.update('critical', 3000), undefined);
  assert.deepEqual(s.update('critical', 4000), { state: 'critical', previous: 'healthy' });
  assert.equal(s.update('critical', 5000), undefined);
  // a different candidate restarts the clock: warning 6-8 s, then critical again is no change at all
  assert.equal(s.update('warning', 6000), undefined);
  assert.equal(s.update('healthy', 8000), undefined);
  assert.equal(s.update('healthy', 10_000), undefined);
  assert.deepEqual(s.update('healthy', 11_000), { state: 'healthy', previous: 'critical' });
});

test('hold 0 announces at once; reset starts a new baseline', () => {
  const s = new StableState(0);
  s.update('healthy', 0);
  assert.deepEqual(s.update('warning', 1), { state: 'warning', previous: 'healthy' });
  s.reset();
  assert.equal(s.current, undefined);
  assert.equal(s.update('critical', 2), undefined);
  assert.equal(s.current, 'critical');
});
