import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signEdgeToken, verifyEdgeToken } from './edge-token.js';

const now = 1_800_000_000;

test('a token verifies for its path and secret until it expires', () => {
  const t = signEdgeToken('s3cret', 'live/a', now, 60);
  assert.deepEqual(verifyEdgeToken('s3cret', 'live/a', t, now), { ok: true });
  assert.deepEqual(verifyEdgeToken('s3cret', 'live/a', t, now + 60), { ok: true });
  assert.deepEqual(verifyEdgeToken('s3cret', 'live/a', t, now + 61), { ok: false, reason: 'expired' });
  assert.deepEqual(verifyEdgeToken('other', 'live/a', t, now), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyEdgeToken('s3cret', 'live/b', t, now), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyEdgeToken('', 'live/a', t, now), { ok: false, reason: 'no_secret' });
});

test('a token with a changed expiry, or malformed, is refused', () => {
  const t = signEdgeToken('s3cret', 'live/a', now, 60);
  const [exp, mac] = t.split('.');
  assert.deepEqual(verifyEdgeToken('s3cret', 'live/a', `${Number(exp) + 3600}.${mac}`, now), { ok: false, reason: 'bad_signature' });
  for (const bad of ['', '.', 'abc.def', `${exp}.`, `${exp}.${mac}x`, `-1.${mac}`, `${exp}.${mac}\n`]) {
    assert.equal(verifyEdgeToken('s3cret', 'live/a', bad, now).ok, false, JSON.stringify(bad));
  }
});
