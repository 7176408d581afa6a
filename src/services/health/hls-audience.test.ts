import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HlsAudience } from './hls-audience.js';
import { HLS_SESSION_IDLE_MS, MAX_HLS_SESSIONS_PER_STREAM } from './limits.js';

const a = { ip: '10.0.0.1', userAgent: 'hls.js' };
const b = { ip: '10.0.0.2', userAgent: 'hls.js' };

test('a session is a client (address + user agent) reloading media playlists; segments add bytes only', () => {
  const au = new HlsAudience();
  au.record('live/x', a, 300, true, 0);
  au.record('live/x', a, 300, true, 1000);
  au.record('live/x', { ...a, userAgent: 'Safari' }, 300, true, 1000);
  au.record('live/x', b, 50_000, false, 1000); // a segment without a playlist: not a session
  assert.equal(au.viewers('live/x', 1000), 2);
  assert.equal(au.bytesServed('live/x'), 50_900);
  assert.equal(au.viewers('live/other', 1000), 0);
});

test('a client that stops reloading leaves after the idle time; one still reloading stays', () => {
  const au = new HlsAudience();
  au.record('live/x', a, 1, true, 0);
  au.record('live/x', b, 1, true, 0);
  au.record('live/x', a, 1, true, HLS_SESSION_IDLE_MS);
  assert.equal(au.viewers('live/x', HLS_SESSION_IDLE_MS + 1), 1);
  au.forget('live/x');
  assert.equal(au.viewers('live/x', 0), 0);
  assert.equal(au.bytesServed('live/x'), 0);
});

test('sessions per stream are capped; client keys are cut', () => {
  const au = new HlsAudience();
  for (let i = 0; i < MAX_HLS_SESSIONS_PER_STREAM + 50; i++) au.record('live/x', { ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, userAgent: 'x'.repeat(10_000) }, 1, true, 0);
  assert.equal(au.viewers('live/x', 0), MAX_HLS_SESSIONS_PER_STREAM);
});
