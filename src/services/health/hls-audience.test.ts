import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HlsAudience, hlsSessionIdleMs, sessionId } from './hls-audience.js';
import {
  HLS_SESSION_IDLE_MAX_MS, HLS_SESSION_IDLE_MIN_MS, HLS_SESSION_IDLE_TARGET_DURATIONS, MAX_HLS_CLIENT_KEY, MAX_HLS_SESSIONS_PER_STREAM,
  SIBLING_AUDIENCE_TTL_MS,
} from './limits.js';

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

test('a client that stops reloading leaves after the idle time (the longest while the stream\'s target duration is unknown); one still reloading stays', () => {
  const au = new HlsAudience();
  au.record('live/x', a, 1, true, 0);
  au.record('live/x', b, 1, true, 0);
  au.record('live/x', a, 1, true, HLS_SESSION_IDLE_MAX_MS);
  assert.equal(au.viewers('live/x', HLS_SESSION_IDLE_MAX_MS + 1), 1);
  au.forget('live/x');
  assert.equal(au.viewers('live/x', 0), 0);
  assert.equal(au.bytesServed('live/x'), 0);
});

test('sessions per stream are capped; client keys are cut', () => {
  const au = new HlsAudience();
  for (let i = 0; i < MAX_HLS_SESSIONS_PER_STREAM + 50; i++) au.record('live/x', { ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, userAgent: 'x'.repeat(10_000) }, 1, true, 0);
  assert.equal(au.viewers('live/x', 0), MAX_HLS_SESSIONS_PER_STREAM);
});

test('workers: the owner unites the sibling workers\' sessions with its own, each client once, and sums their bytes', () => {
  const owner = new HlsAudience();
  const sibling = new HlsAudience();
  owner.record('live/x', a, 100, true, 0);
  sibling.record('live/x', a, 40, true, 0); // the same viewer, another connection that landed on the sibling
  sibling.record('live/x', b, 60, true, 0);
  sibling.record('live/x', b, 5000, false, 0);
  const third = new HlsAudience();
  third.record('live/x', { ip: '10.0.0.3', userAgent: 'hls.js' }, 7, true, 0);
  owner.addRemote(2, { path: 'live/x', sessions: sibling.localSessions('live/x', 0), bytes: sibling.localBytes('live/x') }, 0);
  owner.addRemote(3, { path: 'live/x', sessions: third.localSessions('live/x', 0), bytes: third.localBytes('live/x') }, 0);
  assert.equal(owner.viewers('live/x', 0), 3, 'a, b and the third worker\'s client');
  assert.equal(owner.localSessions('live/x', 0).length, 1);
  assert.equal(owner.bytesServed('live/x'), 100 + 5100 + 7);
  assert.equal(owner.localBytes('live/x'), 100);
  // A later report replaces the earlier; a count that went back (the sibling restarted its) keeps what was served.
  owner.addRemote(2, { path: 'live/x', sessions: [], bytes: 30 }, 1000);
  assert.equal(owner.viewers('live/x', 1000), 2);
  assert.equal(owner.bytesServed('live/x'), 100 + 5100 + 30 + 7);
  // A sibling that stops reporting: its sessions go after the TTL, its bytes stay.
  assert.equal(owner.viewers('live/x', SIBLING_AUDIENCE_TTL_MS + 1), 1);
  assert.equal(owner.bytesServed('live/x'), 100 + 5100 + 30 + 7);
});

test('a session id is the address and user agent as the key was (cut at the same length), the same in every process', () => {
  assert.equal(sessionId('10.0.0.1', 'hls.js'), sessionId('10.0.0.1', 'hls.js'));
  assert.notEqual(sessionId('10.0.0.1', 'hls.js'), sessionId('10.0.0.1', 'hls.js '));
  assert.notEqual(sessionId('10.0.0.1', 'hls.js'), sessionId('10.0.0.10', 'hls.js'));
  assert.notEqual(sessionId('10.0.0.1', undefined), sessionId('10.0.0.1', 'x'));
  assert.equal(sessionId('1.2.3.4', 'x'.repeat(MAX_HLS_CLIENT_KEY) + 'a'), sessionId('1.2.3.4', 'x'.repeat(MAX_HLS_CLIENT_KEY) + 'b'), 'cut');
  const id = sessionId('1.2.3.4', 'y');
  assert.ok(Number.isSafeInteger(id) && id >= 0, 'a safe integer: it crosses IPC as JSON');
  const ids = new Set<number>();
  for (let i = 0; i < 100_000; i++) ids.add(sessionId(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 'Mozilla/5.0'));
  assert.equal(ids.size, 100_000, 'no two of 100k addresses share an id');
});

test('a stream served here lately is idle only once nothing of it was served for the session time', () => {
  const au = new HlsAudience();
  assert.ok(au.idleHere('live/x', 0));
  au.record('live/x', a, 400, false, 1000); // a master playlist: bytes, no session
  assert.ok(!au.idleHere('live/x', 1000 + HLS_SESSION_IDLE_MAX_MS));
  assert.ok(au.idleHere('live/x', 1001 + HLS_SESSION_IDLE_MAX_MS));
});

test('cluster: a node\'s report unites its own and its sibling workers\' sessions, capped, the rest as a count the owner adds', () => {
  const edge = new HlsAudience();
  edge.record('live/x', a, 10, true, 0);
  edge.addRemote(2, { path: 'live/x', sessions: [sessionId(a.ip, a.userAgent), sessionId(b.ip, b.userAgent), 7], bytes: 5 }, 0);
  const all = edge.sessionsToReport('live/x', 0, 10);
  assert.deepEqual([...all.sessions].sort(), [sessionId(a.ip, a.userAgent), sessionId(b.ip, b.userAgent), 7].sort());
  assert.equal(all.more, 0);
  const capped = edge.sessionsToReport('live/x', 0, 2);
  assert.equal(capped.sessions.length, 2);
  assert.equal(capped.more, 1);
  assert.deepEqual(edge.sessionsToReport('live/none', 0, 2), { sessions: [], more: 0 });

  // The owner: node 'b' (a string source, apart from worker 2) reports the capped share; a's session is the owner's too.
  const owner = new HlsAudience();
  owner.record('live/x', a, 1, true, 0);
  owner.addRemote(2, { path: 'live/x', sessions: [], bytes: 0 }, 0);
  owner.addRemote('b', { path: 'live/x', sessions: [sessionId(a.ip, a.userAgent), 7], moreSessions: 1, bytes: 15 }, 0);
  assert.equal(owner.viewers('live/x', 0), 3, 'a once, 7, and one counted past the cap');
  assert.equal(owner.bytesServed('live/x'), 1 + 15);
  assert.equal(owner.viewers('live/x', SIBLING_AUDIENCE_TTL_MS + 1), 1, 'node b dropped after the TTL');
});

test('a stream not served here but reported by a sibling lately is not idle here (the worker pulling it reports it on)', () => {
  const au = new HlsAudience();
  au.addRemote(2, { path: 'live/x', sessions: [1], bytes: 1 }, 0);
  assert.ok(!au.idleHere('live/x', SIBLING_AUDIENCE_TTL_MS));
  assert.ok(au.idleHere('live/x', SIBLING_AUDIENCE_TTL_MS + 1));
});

test('the idle time is a few of the stream\'s target durations, with a floor for LL-HLS and the old 20 s as the cap', () => {
  assert.equal(hlsSessionIdleMs(4), HLS_SESSION_IDLE_TARGET_DURATIONS * 4000, 'standard: 4 s segments');
  assert.ok(hlsSessionIdleMs(4) < HLS_SESSION_IDLE_MAX_MS);
  assert.equal(hlsSessionIdleMs(1), HLS_SESSION_IDLE_MIN_MS, 'low/lowest: 1 s segments, floored');
  assert.ok(HLS_SESSION_IDLE_TARGET_DURATIONS * 1000 < HLS_SESSION_IDLE_MIN_MS);
  assert.equal(hlsSessionIdleMs(10), HLS_SESSION_IDLE_MAX_MS, 'long segments: capped');
  assert.equal(hlsSessionIdleMs(0), HLS_SESSION_IDLE_MAX_MS, 'unknown');
  assert.equal(hlsSessionIdleMs(Number.NaN), HLS_SESSION_IDLE_MAX_MS, 'unknown');
});

test('per stream: an LL-HLS viewer who left drops out sooner than a standard one on the same server', () => {
  const au = new HlsAudience();
  const low = hlsSessionIdleMs(1);
  const standard = hlsSessionIdleMs(4);
  assert.ok(low < standard && standard < HLS_SESSION_IDLE_MAX_MS);
  au.record('live/low', a, 300, true, 0, 1);
  au.record('live/std', a, 300, true, 0, 4);
  au.record('live/low', b, 300, true, 0, 1);
  au.record('live/low', b, 300, true, low, 1); // b still reloading
  assert.equal(au.viewers('live/low', low), 2);
  assert.equal(au.viewers('live/low', low + 1), 1, 'a left the LL-HLS stream: gone after a few of its 1 s reloads (floored)');
  assert.equal(au.viewers('live/std', low + 1), 1, 'the same client on the standard stream is not late yet');
  assert.equal(au.viewers('live/std', standard), 1);
  assert.equal(au.viewers('live/std', standard + 1), 0, 'gone after three 4 s target durations');
  // A media answer that does not know the cadence (0) leaves it as it was; a playlist with a longer target raises it.
  au.record('live/low', b, 5000, false, low + 10);
  au.record('live/low', b, 300, true, low + 20, 0);
  assert.equal(au.viewers('live/low', 2 * low + 20), 1);
  assert.equal(au.viewers('live/low', 2 * low + 21), 0);
  au.record('live/low', a, 300, true, 100_000, 1);
  au.record('live/low', a, 300, true, 100_001, 4);
  assert.equal(au.viewers('live/low', 100_001 + standard), 1, 'the idle time follows the target duration served');
});

test('idleHere follows the stream\'s own idle time', () => {
  const au = new HlsAudience();
  au.record('live/low', a, 300, true, 1000, 1);
  assert.ok(!au.idleHere('live/low', 1000 + hlsSessionIdleMs(1)));
  assert.ok(au.idleHere('live/low', 1001 + hlsSessionIdleMs(1)), 'forgotten well before the 20 s cap');
});

test('workers: a sibling expires its sessions with the idle time of the owner\'s playlists it served; the owner takes its report as sent', () => {
  const owner = new HlsAudience();
  const sibling = new HlsAudience();
  const low = hlsSessionIdleMs(1);
  owner.record('live/low', a, 300, true, 0, 1);
  sibling.record('live/low', b, 300, true, 0, 1); // from its copy of the owner's playlist: the same target duration
  owner.addRemote(2, { path: 'live/low', sessions: sibling.localSessions('live/low', 500), bytes: sibling.localBytes('live/low') }, 500);
  assert.equal(owner.viewers('live/low', 500), 2);
  owner.record('live/low', a, 300, true, low, 1);
  // The sibling's report a moment past its viewer's idle time lists no session, so the owner counts a alone.
  owner.addRemote(2, { path: 'live/low', sessions: sibling.localSessions('live/low', low + 1), bytes: sibling.localBytes('live/low') }, low + 1);
  assert.equal(owner.viewers('live/low', low + 1), 1);
  // A report's sessions are the sender's to expire: the owner counts them while the report is fresh, whatever its own clock says.
  owner.addRemote(2, { path: 'live/low', sessions: [sessionId(b.ip, b.userAgent)], bytes: 300 }, 2 * low);
  assert.equal(owner.viewers('live/low', 2 * low + 1), 1, 'a expired here (last seen at `low`), b counted from the fresh report');
  assert.equal(owner.viewers('live/low', 2 * low + SIBLING_AUDIENCE_TTL_MS + 1), 0, 'the report gone stale');
});
