import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signEdgeHlsRequest, signEdgeToken, verifyEdgeHlsRequest, verifyEdgeToken } from './edge-token.js';

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

test('an HLS edge request header verifies for its URL path and names the stream path it was signed for', () => {
  const h = signEdgeHlsRequest('s3cret', '/hls/a/src/seg-x-1.m4s', 'live/a', now, 30);
  assert.deepEqual(verifyEdgeHlsRequest('s3cret', '/hls/a/src/seg-x-1.m4s', h, now), { ok: true, streamPath: 'live/a' });
  assert.deepEqual(verifyEdgeHlsRequest('s3cret', '/hls/a/src/seg-x-1.m4s', h, now + 31), { ok: false, reason: 'expired' });
  assert.deepEqual(verifyEdgeHlsRequest('s3cret', '/hls/a/src/seg-x-2.m4s', h, now), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyEdgeHlsRequest('other', '/hls/a/src/seg-x-1.m4s', h, now), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyEdgeHlsRequest('', '/hls/a/src/seg-x-1.m4s', h, now), { ok: false, reason: 'no_secret' });
  // Another stream path on a valid MAC, or the MAC without one.
  const mac = h.split(' ')[0]!;
  assert.deepEqual(verifyEdgeHlsRequest('s3cret', '/hls/a/src/seg-x-1.m4s', `${mac} live/b`, now), { ok: false, reason: 'bad_signature' });
  for (const bad of ['', mac, `${mac} `, `${mac} live`, `${mac} live/a/../b`, `${mac} live/a\n`, ` live/a`]) {
    assert.equal(verifyEdgeHlsRequest('s3cret', '/hls/a/src/seg-x-1.m4s', bad, now).ok, false, JSON.stringify(bad));
  }
});

test('the RTMP pull token and the HLS request header cannot stand in for each other', () => {
  const rtmp = signEdgeToken('s3cret', 'live/a', now, 60);
  assert.equal(verifyEdgeHlsRequest('s3cret', 'live/a', `${rtmp} live/a`, now).ok, false);
  const hls = signEdgeHlsRequest('s3cret', 'live/a', 'live/a', now, 30).split(' ')[0]!;
  assert.equal(verifyEdgeToken('s3cret', 'live/a', hls, now).ok, false);
});
