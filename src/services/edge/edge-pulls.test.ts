import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { StreamHub, type Publisher } from '../../hub/index.js';
import { RecordingSink, packet } from '../../hub/testing/hub-fixtures.js';
import { EdgePulls, type EdgePullOptions, type PullHooks, type PullRequest } from './edge-pulls.js';
import type { OwnerAddress } from './owner-locator.js';
import { verifyEdgeToken } from './edge-token.js';

const log = pino({ level: 'silent' });
const SECRET = 'unit-secret';
const A: OwnerAddress = { nodeId: 'a', rtmpUrl: 'rtmp://10.0.0.1:1935' };
const B: OwnerAddress = { nodeId: 'b', rtmpUrl: 'rtmp://10.0.0.2:1935' };

/** A connector whose attempts the test drives: go live (publish + keyframe into the hub), fail, or end. */
class FakeOwner {
  readonly attempts: { req: PullRequest; hooks: PullHooks; closed?: string; pub?: Publisher }[] = [];
  constructor(private readonly hub: StreamHub) {}
  readonly connector = (req: PullRequest, hooks: PullHooks) => {
    const attempt: FakeOwner['attempts'][number] = { req, hooks };
    this.attempts.push(attempt);
    return {
      close: (reason: string) => {
        attempt.closed = reason;
        attempt.pub?.close(reason);
      },
    };
  };

  live(i = this.attempts.length - 1): void {
    const a = this.attempts[i]!;
    a.pub = this.hub.publish(a.req.path, a.req.publisher);
    a.hooks.onLive();
    a.pub.push(packet('video', 0, { role: 'config', keyframe: false }));
    a.pub.push(packet('video', 0, { keyframe: true }));
  }

  fail(i = this.attempts.length - 1, notFound = false): void {
    const a = this.attempts[i]!;
    a.pub?.close('dropped');
    a.hooks.onEnd(new Error('refused'), notFound);
  }
}

const fast: EdgePullOptions = { graceMs: 150, startTimeoutMs: 2000, retryMinMs: 10, retryMaxMs: 40, relocateMs: 50 };
const running: EdgePulls[] = [];
afterEach(() => running.splice(0).forEach((e) => e.close()));

function setup(owner: () => OwnerAddress | undefined, options: Partial<EdgePullOptions> = {}, ownerGone?: (nodeId: string) => boolean) {
  const hub = new StreamHub({ gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 1 << 20, slowTimeoutMs: 5000 }, takeover: 'takeover' }, log);
  const fake = new FakeOwner(hub);
  const locator = { locate: async () => owner(), ...(ownerGone ? { ownerGone: async (id: string) => ownerGone(id) } : {}) };
  const edge = new EdgePulls({ hub, locator, connector: fake.connector, secret: SECRET, log, options: { ...fast, ...options } });
  running.push(edge);
  return { hub, fake, edge };
}

const until = async (what: string, fn: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('viewers arriving together share one pull, and all wait for its first keyframe', async () => {
  const { fake, edge } = setup(() => A);
  const waits = [edge.ensure('live/x'), edge.ensure('live/x'), edge.ensure('live/x')];
  await until('an attempt', () => fake.attempts.length === 1);
  fake.live();
  assert.deepEqual(await Promise.all(waits), [true, true, true]);
  assert.equal(fake.attempts.length, 1);
  const { req } = fake.attempts[0]!;
  assert.equal(req.owner, A);
  assert.equal(req.publisher.protocol, 'edge');
  assert.ok(verifyEdgeToken(SECRET, 'live/x', req.token).ok, 'the token is for this path under the shared secret');
  assert.equal(await edge.ensure('live/x'), true, 'a later viewer plays at once');
  assert.equal(fake.attempts.length, 1);
});

test('the pull stops a grace period after its last viewer leaves, not while one watches', async () => {
  const { hub, fake, edge } = setup(() => A);
  const waiting = edge.ensure('live/x');
  await until('an attempt', () => fake.attempts.length === 1);
  fake.live();
  assert.equal(await waiting, true);
  const sub = hub.subscribe('live/x', { protocol: 'rtmp', remoteAddress: '1.2.3.4' }, new RecordingSink());
  await new Promise((r) => setTimeout(r, fast.graceMs * 3));
  assert.equal(fake.attempts[0]!.closed, undefined, 'a watched pull keeps going past the grace');
  const left = Date.now();
  sub.close('viewer left');
  await until('the pull stopped', () => fake.attempts[0]!.closed !== undefined);
  assert.ok(Date.now() - left >= fast.graceMs, 'not before the grace');
  assert.deepEqual(edge.pulling, []);
});

test('HLS requests (touch) keep a pull going and start one when the stream has no publisher', async () => {
  // A grace far longer than the touch interval: a busy machine delaying a timer must not end the pull.
  const { fake, edge } = setup(() => A, { graceMs: 1500 });
  edge.touch('live/h');
  await until('an attempt', () => fake.attempts.length === 1);
  fake.live();
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 250));
    edge.touch('live/h');
  }
  assert.equal(fake.attempts[0]!.closed, undefined);
  await until('the pull stopped', () => fake.attempts[0]!.closed !== undefined);
});

test('a failing pull retries with backoff while a viewer waits', async () => {
  const { fake, edge } = setup(() => A);
  const waiting = edge.ensure('live/r');
  await until('attempt 1', () => fake.attempts.length === 1);
  fake.fail();
  await until('attempt 2', () => fake.attempts.length === 2);
  fake.fail();
  await until('attempt 3', () => fake.attempts.length === 3);
  fake.live();
  assert.equal(await waiting, true);
});

test('an owner that has no such stream, or no owner at all, answers the viewer at once', async () => {
  const { fake, edge } = setup(() => A);
  const waiting = edge.ensure('live/none');
  await until('an attempt', () => fake.attempts.length === 1);
  fake.fail(0, true);
  assert.equal(await waiting, false);
  assert.equal(await edge.ensure('live/none'), false, 'remembered for a moment: no second attempt');
  assert.equal(fake.attempts.length, 1);
  const nobody = setup(() => undefined);
  assert.equal(await nobody.edge.ensure('live/y'), false);
  assert.equal(nobody.fake.attempts.length, 0);
});

test('a viewer gives up after the start timeout when the owner never sends a keyframe', async () => {
  const { edge } = setup(() => A, { startTimeoutMs: 100 });
  assert.equal(await edge.ensure('live/slow'), false);
});

test('an owner change moves the pull to the new owner', async () => {
  let owner = A;
  const { hub, fake, edge } = setup(() => owner);
  const waiting = edge.ensure('live/m');
  await until('an attempt', () => fake.attempts.length === 1);
  fake.live();
  assert.equal(await waiting, true);
  hub.subscribe('live/m', { protocol: 'flv', remoteAddress: '1.2.3.4' }, new RecordingSink());
  owner = B;
  await until('the move', () => fake.attempts.length === 2);
  assert.equal(fake.attempts[0]!.closed, 'owner changed');
  assert.equal(fake.attempts[1]!.req.owner, B);
});

test('a local publisher needs no pull', async () => {
  const { hub, fake, edge } = setup(() => A);
  hub.publish('live/local', { protocol: 'rtmp', remoteAddress: '1.2.3.4' });
  assert.equal(await edge.ensure('live/local'), true);
  edge.touch('live/local');
  assert.equal(fake.attempts.length, 0);
});

// Held viewers would wait the minute: the test's timeout fails it first.
const LONG = { startTimeoutMs: 60_000, retryMinMs: 60_000, retryMaxMs: 60_000 };

test('an owner that is gone while still named (its port refuses): waiting viewers are told at once it is between owners; the next owner is taken up by the next viewer', { timeout: 10_000 }, async () => {
  let owner: OwnerAddress | undefined = A;
  const { fake, edge } = setup(() => owner, LONG);
  const waiting = edge.ensure('live/x');
  await until('an attempt', () => fake.attempts.length === 1);
  fake.attempts[0]!.hooks.onEnd(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:1935'), { code: 'ECONNREFUSED' }));
  assert.equal(await waiting, false);
  assert.equal(edge.between('live/x'), true);
  assert.equal(await edge.ensure('live/x'), false, 'still named and gone: told at once');
  assert.equal(fake.attempts.length, 1, 'the gone owner is not dialled for each viewer');
  owner = B;
  const next = edge.ensure('live/x');
  await until('an attempt on B', () => fake.attempts.length === 2);
  assert.equal(fake.attempts[1]!.req.owner.nodeId, 'b');
  fake.live(1);
  assert.equal(await next, true);
  assert.equal(edge.between('live/x'), false);
});

test('an owner the registry shows gone (heartbeat overdue) after a failed attempt: between owners; one it shows alive: the viewer waits', { timeout: 10_000 }, async () => {
  const gone = setup(() => A, LONG, () => true);
  const waiting = gone.edge.ensure('live/x');
  await until('an attempt', () => gone.fake.attempts.length === 1);
  gone.fake.fail(0);
  assert.equal(await waiting, false);
  assert.equal(gone.edge.between('live/x'), true);

  const alive = setup(() => A, { retryMinMs: 10, retryMaxMs: 10, startTimeoutMs: 60_000 }, () => false);
  const held = alive.edge.ensure('live/x');
  await until('an attempt', () => alive.fake.attempts.length === 1);
  alive.fake.fail(0);
  await until('a retry', () => alive.fake.attempts.length === 2);
  assert.equal(alive.edge.between('live/x'), false);
  alive.fake.live(1);
  assert.equal(await held, true, 'held through the failed attempt and served by the retry');
});

test('a pulled stream whose owner left and that no node owns yet: a new viewer is told at once it is between owners', { timeout: 10_000 }, async () => {
  let owner: OwnerAddress | undefined = A;
  const { fake, edge } = setup(() => owner, { graceMs: 5000, startTimeoutMs: 60_000 });
  const first = edge.ensure('live/x');
  await until('an attempt', () => fake.attempts.length === 1);
  fake.live(0);
  assert.equal(await first, true);
  owner = undefined;
  fake.fail(0);
  await until('between owners', () => edge.between('live/x'));
  assert.equal(await edge.ensure('live/x'), false);
});
