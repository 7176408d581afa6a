import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { PushFailure, PushHandle, PushHooks, PushRequest, TargetConnector } from './target-connector.js';
import { TargetRunner } from './target-runner.js';
import type { TargetRecord, TargetState } from './target-types.js';

const log = pino({ level: 'silent' });
const KEY = 'secret-key-0123456789';
const target: TargetRecord = {
  id: 'tgt_1', streamId: 'str_1', url: 'rtmp://ingest.example/live', streamKey: KEY, enabled: true, rendition: 'source',
  tlsVerify: true, createdAt: new Date(0), updatedAt: new Date(0),
};

interface Attempt extends PushHandle {
  readonly req: PushRequest;
  readonly hooks: PushHooks;
  bytesOut: number;
  droppedFrames: number;
  closed: string | undefined;
}

/** A connector that records its attempts; the test plays the network by calling their hooks. */
function fakeConnector(onAttempt?: (a: Attempt) => void): { connector: TargetConnector; attempts: Attempt[] } {
  const attempts: Attempt[] = [];
  const connector: TargetConnector = (req, hooks) => {
    const a: Attempt = { req, hooks, bytesOut: 0, droppedFrames: 0, closed: undefined, close: (reason) => (a.closed ??= reason) };
    attempts.push(a);
    onAttempt?.(a);
    return a;
  };
  return { connector, attempts };
}

function runner(connector: TargetConnector, now?: () => number) {
  const states: string[] = [];
  const r = new TargetRunner(target, 'live/abc', {
    connector, log, random: () => 0, now,
    options: { timeoutMs: 1000, retry: { minMs: 10, maxMs: 40 }, budgetBytes: 65_536, slowTimeoutMs: 5000 },
    onStateChange: (x, previous: TargetState) => states.push(`${previous}>${x.state}`),
  });
  return { r, states };
}

const until = async (what: string, fn: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !fn(); i++) await new Promise((res) => setTimeout(res, 5));
  assert.ok(fn(), `timed out waiting for ${what}`);
};
const fail = (cls: PushFailure['class'], message = 'x'): PushFailure => ({ class: cls, message });

test('connecting, live, then a drop: reconnecting with backoff, live again with the counters kept', async () => {
  const { connector, attempts } = fakeConnector();
  const { r, states } = runner(connector);
  assert.equal(r.state, 'idle');
  r.pathUp();
  r.pathUp(); // no second attempt
  assert.equal(attempts.length, 1);
  assert.deepEqual(attempts[0]!.req, {
    url: target.url, streamKey: KEY, tlsVerify: true, hubPath: 'live/abc', timeoutMs: 1000, budgetBytes: 65_536, slowTimeoutMs: 5000,
  });
  attempts[0]!.hooks.onLive();
  assert.equal(r.state, 'live');
  assert.ok(r.status.connectedSince);
  attempts[0]!.bytesOut = 5000;
  attempts[0]!.droppedFrames = 3;
  attempts[0]!.hooks.onEnd(fail('closed', 'connection closed by the server'));
  assert.equal(r.state, 'reconnecting');
  assert.equal(r.status.connectedSince, null);
  assert.ok(r.status.nextAttemptAt);
  await until('second attempt', () => attempts.length === 2);
  assert.equal(r.status.reconnects, 1);
  attempts[1]!.hooks.onLive();
  attempts[1]!.bytesOut = 700;
  assert.equal(r.status.bytesOut, 5700, 'bytes of every connection of the session');
  assert.equal(r.status.droppedFrames, 3);
  assert.equal(r.status.lastError?.class, 'closed', 'the last error stays visible while live');
  assert.deepEqual(states, ['idle>connecting', 'connecting>live', 'live>reconnecting', 'reconnecting>live']);
  r.close('done');
});

test('three failures in a row are `failed` (and stay failed through retries); auth is failed at once', async () => {
  const { connector, attempts } = fakeConnector();
  const { r, states } = runner(connector);
  r.pathUp();
  attempts[0]!.hooks.onEnd(fail('refused'));
  assert.equal(r.state, 'reconnecting');
  await until('attempt 2', () => attempts.length === 2);
  attempts[1]!.hooks.onEnd(fail('refused'));
  await until('attempt 3', () => attempts.length === 3);
  attempts[2]!.hooks.onEnd(fail('timeout'));
  assert.equal(r.state, 'failed');
  await until('attempt 4', () => attempts.length === 4);
  attempts[3]!.hooks.onEnd(fail('refused'));
  assert.equal(r.state, 'failed');
  assert.deepEqual(states, ['idle>connecting', 'connecting>reconnecting', 'reconnecting>failed']);
  r.close('done');

  const auth = fakeConnector();
  const a = runner(auth.connector);
  a.r.pathUp();
  auth.attempts[0]!.hooks.onEnd(fail('auth', `NetStream.Publish.BadName: ${KEY} refused`));
  assert.equal(a.r.state, 'failed');
  assert.equal(a.r.lastError?.message, 'NetStream.Publish.BadName: [key] refused', 'the key never reaches the status');
  a.r.close('done');
});

test('path down: the connection is closed, no retry follows, the state is idle', async () => {
  const { connector, attempts } = fakeConnector();
  const { r } = runner(connector);
  r.pathUp();
  attempts[0]!.hooks.onEnd(fail('refused'));
  r.pathDown('source unpublished');
  assert.equal(r.state, 'idle');
  assert.equal(r.status.nextAttemptAt, null);
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(attempts.length, 1, 'the pending retry was cancelled');
  r.pathUp();
  attempts[1]!.hooks.onLive();
  r.close('target deleted');
  assert.equal(attempts[1]!.closed, 'target deleted');
  attempts[1]!.hooks.onEnd(fail('closed')); // a late hook of a closed connection changes nothing
  assert.equal(r.state, 'idle');
  r.pathUp();
  assert.equal(attempts.length, 2, 'closed for good');
});

test('a connector that fails before returning its handle is handled like any failure', async () => {
  const { connector, attempts } = fakeConnector((a) => a.hooks.onEnd(fail('protocol', 'bad url')));
  const { r } = runner(connector);
  r.pathUp();
  await until('failure seen', () => r.state === 'reconnecting');
  assert.equal(r.lastError?.message, 'bad url');
  await until('retried', () => attempts.length >= 2);
  r.close('done');
});

test('bitrate is bytes over the sample window', () => {
  let now = 1_000_000;
  const { connector, attempts } = fakeConnector();
  const { r } = runner(connector, () => now);
  r.pathUp();
  attempts[0]!.hooks.onLive();
  r.sample();
  attempts[0]!.bytesOut = 250_000;
  now += 2000;
  r.sample();
  assert.equal(r.status.bitrateOut, 1_000_000);
  r.close('done');
  assert.equal(r.status.bitrateOut, 0, 'no bitrate unless live');
});
