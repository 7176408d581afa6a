import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FailureRateLimiter } from './failure-rate-limiter.js';

describe('FailureRateLimiter', () => {
  it('limits after maxFailures in a window and forgets after it', () => {
    let t = 0;
    const l = new FailureRateLimiter({ maxFailures: 2, windowMs: 1000, now: () => t });
    assert.equal(l.isLimited('a'), false);
    l.recordFailure('a');
    assert.equal(l.isLimited('a'), false);
    l.recordFailure('a');
    assert.equal(l.isLimited('a'), true);
    assert.equal(l.isLimited('b'), false);
    t = 1000;
    assert.equal(l.isLimited('a'), false);
  });

  it('keeps at most maxKeys addresses', () => {
    const l = new FailureRateLimiter({ maxKeys: 100, now: () => 0 });
    for (let i = 0; i < 10_000; i++) l.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    assert.ok(l.size <= 100);
  });
});
