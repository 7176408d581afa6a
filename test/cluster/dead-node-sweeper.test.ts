import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase } from '../../src/db/open-database.js';
import type { Database } from '../../src/db/database.js';
import { RedisCoordinator } from '../../src/services/cluster/redis-coordinator.js';
import { DeadNodeSweeper } from '../../src/services/cluster/dead-node-sweeper.js';
import type { NodeLiveness } from '../../src/services/cluster/cluster-types.js';
import { SessionStore } from '../../src/services/streams/session-store.js';
import { StreamLifecycle } from '../../src/services/streams/stream-lifecycle.js';
import { LostSessionStore } from '../../src/services/streams/lost-session-store.js';
import type { StreamEventData, StreamEventType, TransactionalEventPublisher } from '../../src/services/streams/stream-events.js';
import { WebhookDispatcher } from '../../src/services/webhooks/webhook-dispatcher.js';
import { WebhookEndpointStore } from '../../src/services/webhooks/webhook-endpoint-store.js';
import { ClusterEventRelay } from '../../src/services/cluster/cluster-event-relay.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { sleep, waitFor, within } from '../support/proc.js';

// The sweeper's decisions driven directly (sweep() called by the test) over a real Redis and PostgreSQL; the
// end-to-end behaviour with node processes and kill -9 is dead-node.test.ts.
const LEASE_MS = 600;
const log = createLogger('silent');
let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let db: Database;
const open: { close(): Promise<void> }[] = [];
const events: { type: StreamEventType; sessionId?: string; streamId?: string }[] = [];
const record = (type: StreamEventType, data: StreamEventData) => void events.push({ type, sessionId: data.session?.id, streamId: data.stream?.id });
/** Records events as published, or (queued in a transaction) once the transaction has committed. */
const recorder: TransactionalEventPublisher = {
  publish: async (type, data) => record(type, data),
  publishIn: async (_tx, type, data) => () => record(type, data),
};

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  db = await openDatabase({ databaseUrl: await freshPostgresDatabase(pg.url), dataDir: '' });
});
after(async () => {
  for (const o of open.reverse()) await o.close();
  await db?.close();
  await redis?.stop();
  await pg?.stop();
});

async function node(nodeId: string, prefix: string): Promise<RedisCoordinator> {
  const c = new RedisCoordinator({ url: redis.url, nodeId, leaseMs: LEASE_MS, prefix, log });
  open.push(c);
  await c.start({ rtmpUrl: `rtmp://127.0.0.1:1/${nodeId}`, httpUrl: `http://127.0.0.1:1/${nodeId}` });
  return c;
}

/**
 * A sweeper on node `c`; `acted` lists the nodes it declared lost (markLost answered: it went on to end their
 * sessions). `lockless`: its sweep lock is always granted, as when another sweeper's lock expired under a slow sweep.
 */
function sweeperOn(c: RedisCoordinator, opts: { events?: TransactionalEventPublisher; lockless?: boolean; meet?: Rendezvous } = {}): { sweeper: DeadNodeSweeper; acted: string[] } {
  const acted: string[] = [];
  const real = c.liveness;
  const liveness: NodeLiveness = Object.assign(Object.create(real) as NodeLiveness, {
    markLost: async (id: string) => {
      const mark = await real.markLost(id);
      if (mark) acted.push(id);
      if (mark && id === opts.meet?.id) await opts.meet.arrive();
      return mark;
    },
    ...(opts.lockless ? { lockSweep: async () => 'no-lock', unlockSweep: async () => {} } : {}),
  });
  const sweeper = new DeadNodeSweeper({ liveness, db, events: opts.events ?? recorder, leaseMs: LEASE_MS, log });
  open.push(sweeper);
  return { sweeper, acted };
}

/** An active stream (reconnect window `windowSec`) with one open session published through `node` (a run of `run`). */
async function liveStreamOn(node: string | RedisCoordinator, windowSec = 0, startedAt = new Date()): Promise<{ streamId: string; sessionId: string; path: string }> {
  const owner = typeof node === 'string' ? { id: node, run: 'run0' } : { id: node.nodeId, run: node.liveness.run() };
  const id = `str_${randomBytes(6).toString('hex')}`;
  const now = new Date();
  await db.query(
    `INSERT INTO streams (id, name, stream_key, key_hash, playback_id, status, latency_mode, reconnect_window_sec, playback_policy, created_at, updated_at)
     VALUES ($1, $1, $1, $1, $1, 'active', 'standard', $3, 'public', $2, $2)`, [id, now, windowSec]);
  const sessionId = `ses_${randomBytes(6).toString('hex')}`;
  const path = `live/${id}`;
  await new SessionStore(db).insert({ id: sessionId, streamId: id, streamPath: path, protocol: 'rtmp', remoteAddress: '127.0.0.1', startedAt }, owner);
  return { streamId: id, sessionId, path };
}

const status = async (streamId: string) => (await db.query<{ status: string }>('SELECT status FROM streams WHERE id = $1', [streamId]))[0]!.status;
const session = async (id: string) => (await new SessionStore(db).get(id))!;
const eventsOf = (type: StreamEventType, streamId: string) => events.filter((e) => e.type === type && e.streamId === streamId);
/** Sweeps with every sweeper at once (concurrently, as two nodes' timers may) until `done` holds. */
/**
 * Holds each sweeper that declared node `id` lost until `count` have, or `timeoutMs` passed: both go on to end the
 * node's sessions at the same moment, whatever the machine's load (without it, one sweeper could finish before the
 * other read the node list, and the race under test did not happen).
 */
interface Rendezvous { readonly id: string; arrive(): Promise<void> }
function rendezvous(id: string, count: number, timeoutMs = 5000): Rendezvous {
  let arrived = 0;
  let open!: () => void;
  const all = new Promise<void>((r) => { open = r; });
  return {
    id,
    arrive: async () => {
      if (++arrived >= count) open();
      await within(all, timeoutMs, undefined);
    },
  };
}

async function sweepUntil(sweepers: DeadNodeSweeper[], done: () => Promise<boolean>, what: string): Promise<void> {
  await waitFor(what, async () => {
    await Promise.all(sweepers.map((s) => s.sweep()));
    return done();
  }, 15_000, 100);
}

test('a live node is never lost; once its heartbeat has expired, exactly one of two concurrent sweepers ends its session and idles its stream', async () => {
  const [s1, s2, x] = [await node('s1', 't1:'), await node('s2', 't1:'), await node('x', 't1:')];
  const live = await liveStreamOn(x);
  const one = sweeperOn(s1);
  const two = sweeperOn(s2);
  const until = Date.now() + 4 * LEASE_MS;
  while (Date.now() < until) {
    await Promise.all([one.sweeper.sweep(), two.sweeper.sweep()]);
    await sleep(50);
  }
  assert.equal((await session(live.sessionId)).endedAt, null, 'a node that heartbeats keeps its sessions');
  await x.close(); // gone from the registry: as if its heartbeat had expired
  await sweepUntil([one.sweeper, two.sweeper], async () => (await status(live.streamId)) === 'idle', 'the stream to go idle');
  const ended = await session(live.sessionId);
  assert.equal(ended.endReason, 'node_lost');
  assert.ok(ended.endedAt);
  for (let i = 0; i < 5; i++) await Promise.all([one.sweeper.sweep(), two.sweeper.sweep()]);
  assert.deepEqual([...one.acted, ...two.acted], ['x'], 'one sweeper declared x lost (the sweep lock)');
  assert.equal(eventsOf('stream.disconnected', live.streamId).length, 1);
  assert.equal(eventsOf('stream.idle', live.streamId).length, 1);
});

test('a stream whose lease some node holds is not set idle (a republish wins), and is once the lease is gone', async () => {
  const [s1, s2] = [await node('s1', 't2:'), await node('s2', 't2:')];
  const live = await liveStreamOn('y'); // y never registered: it died before this sweeper started
  const { sweeper } = sweeperOn(s1);
  assert.ok((await s2.claim(live.path, { force: true })).ok); // the encoder is back on s2, its session not written yet
  await sweepUntil([sweeper], async () => (await session(live.sessionId)).endedAt !== null, 'y\'s session to end');
  for (let i = 0; i < 5; i++) await sweeper.sweep();
  assert.equal(await status(live.streamId), 'active', 'the lease holder\'s stream stays active');
  assert.equal(eventsOf('stream.idle', live.streamId).length, 0);
  await s2.release(live.path);
  await sweepUntil([sweeper], async () => (await status(live.streamId)) === 'idle', 'idle once nobody holds the lease');
});

test('Redis restarted empty: a node that re-registers within a reconnect is not declared lost', async () => {
  const s1 = await node('s1', 't3:');
  let z = await node('z', 't3:');
  const live = await liveStreamOn(z);
  const { sweeper, acted } = sweeperOn(s1);
  await redis.kill();
  await z.close(); // z's connection is gone with the store; it comes back (below) as late as a live node may
  await sleep(LEASE_MS);
  await redis.restart();
  // From this node's own reconnect, another live node may take up to ioredis's 1 s retry gap to re-register.
  await waitFor('s1 to reach the store again', () => s1.liveness.steadyMs() > 0, 15_000, 20);
  const back = Date.now();
  let rejoined = false;
  while (Date.now() - back < 4 * LEASE_MS + 1000) {
    if (!rejoined && Date.now() - back >= LEASE_MS + 300) {
      z = await node('z', 't3:');
      rejoined = true;
    }
    await sweeper.sweep();
    await sleep(50);
  }
  assert.deepEqual(acted, [], 'nobody declared lost');
  assert.equal((await session(live.sessionId)).endedAt, null);
  assert.equal(await status(live.streamId), 'active');
});

test('a node restarted under the same --node-id ends the sessions its previous run left open, then idles their stream', async () => {
  const live = await liveStreamOn('r1');
  const r1 = await node('r1', 't4:');
  const { sweeper } = sweeperOn(r1);
  assert.equal(await sweeper.endOwnStaleSessions(), 1);
  assert.equal((await session(live.sessionId)).endReason, 'server_restart');
  assert.equal(eventsOf('stream.disconnected', live.streamId).length, 1);
  await sweepUntil([sweeper], async () => (await status(live.streamId)) === 'idle', 'the stream to go idle');
  assert.equal(eventsOf('stream.idle', live.streamId).length, 1);
});

test('a node that died with a stream\'s idle timer pending: the stream goes idle when its window has passed; a live node\'s is left to it', async () => {
  const [s1, s2] = [await node('s1', 't5:'), await node('s2', 't5:')];
  const orphan = await liveStreamOn('w', 1); // w ended its publisher (eof), then died before its 1 s window passed
  const kept = await liveStreamOn('s2'); // s2 ended its publisher and is alive: its own timer decides
  const sessions = new SessionStore(db);
  const endedAt = new Date();
  await sessions.end(orphan.sessionId, endedAt, 'eof', 0);
  await sessions.end(kept.sessionId, new Date(), 'eof', 0);
  const { sweeper, acted } = sweeperOn(s1);
  await sweepUntil([sweeper], async () => (await status(orphan.streamId)) === 'idle', 'the orphaned stream to go idle');
  assert.ok(Date.now() - endedAt.getTime() >= 1000, 'not before its reconnect window');
  assert.equal(eventsOf('stream.idle', orphan.streamId).length, 1);
  assert.equal((await session(orphan.sessionId)).endReason, 'eof', 'its session is left as its node ended it');
  assert.ok(!acted.includes('w'), 'w is not declared lost: it had no open session'); // (earlier tests' nodes share the database)
  for (let i = 0; i < 5; i++) await sweeper.sweep();
  assert.equal(await status(kept.streamId), 'active', 'the live node\'s stream is its own business');
  assert.equal(eventsOf('stream.idle', kept.streamId).length, 0);
  void s2;
});

test('a node that accepted a publish while cut off from Redis, then died: that session of its run is ended too', async () => {
  const [s1, q] = [await node('s1', 't6:'), await node('q', 't6:')];
  const early = await liveStreamOn(q);
  // Started long after q's last heartbeat (it accepted the publish without the store), same run.
  const late = await liveStreamOn(q, 0, new Date(Date.now() + 10_000));
  const { sweeper } = sweeperOn(s1);
  await q.close(); // dies
  await sweepUntil([sweeper], async () => (await session(early.sessionId)).endedAt !== null, 'q\'s sessions to end');
  assert.equal((await session(early.sessionId)).endReason, 'node_lost');
  assert.equal((await session(late.sessionId)).endReason, 'node_lost');
});

test('a node whose idle timer fires after a sweeper idled its stream (it was cut off, taken for lost) sends no second stream.idle', async () => {
  const lifecycle = new StreamLifecycle({ db, logger: log, events: recorder, node: () => ({ id: 'cut', run: 'r1' }) });
  open.push({ close: async () => lifecycle.close() });
  const live = await liveStreamOn('cut', 1);
  await db.query(`UPDATE stream_sessions SET ended_at = now() WHERE id = $1`, [live.sessionId]); // not this lifecycle's
  const sessionId = await lifecycle.onPublishStart({ streamPath: live.path, streamId: live.streamId, remoteAddress: '127.0.0.1', protocol: 'rtmp' });
  await lifecycle.onActive(live.path);
  await lifecycle.onPublishEnd({ streamPath: live.path, sessionId, reason: 'eof', bytesIn: 0 }); // its 1 s window starts
  // What the sweeper does for a stream a lost node left in its window (dead-node-sweeper.ts): idle it, once.
  assert.ok(await new LostSessionStore(db).idleIfUnclaimed(live.streamId, new Date()));
  await recorder.publish('stream.idle', { stream: { id: live.streamId } as never });
  await sleep(1500); // the node's own timer has fired
  assert.equal(await status(live.streamId), 'idle');
  assert.equal(eventsOf('stream.idle', live.streamId).length, 1);
});

/** Webhook deliveries queued for `type` about session `sessionId` (the sweeper's events, as the outbox holds them). */
async function deliveries(type: StreamEventType, sessionId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_type = $1 AND (payload::jsonb #>> '{data,session,id}') = $2`, [type, sessionId]);
  return rows[0]!.n;
}

/** The real event queue: a webhook endpoint for the sweeper's events, and the dispatcher (not sending) behind the cluster relay. */
async function webhookQueue(c: RedisCoordinator, endpointId: string): Promise<TransactionalEventPublisher> {
  await new WebhookEndpointStore(db).insert(endpointId, 'whsec_test', {
    url: 'http://127.0.0.1:9/hook', events: ['stream.disconnected', 'stream.idle'], enabled: true, description: null,
  }, new Date());
  const dispatcher = new WebhookDispatcher({ db, logger: log });
  open.push(dispatcher);
  return new ClusterEventRelay(dispatcher, c);
}

test('a sweep that dies between a session\'s end and its event leaves neither; the next sweep writes both, once', async () => {
  const [s1, dead] = [await node('s1', 't7:'), await node('dead1', 't7:')];
  const live = await liveStreamOn(dead);
  const { sweeper, acted } = sweeperOn(s1, { events: await webhookQueue(s1, 'whe_crash') });
  // The sweeping node "dies" at the event's write: PostgreSQL refuses the delivery row of the armed event type.
  await db.query('CREATE TABLE sweep_crash (event_type text NOT NULL)');
  await db.query(`CREATE FUNCTION sweep_crash_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM sweep_crash WHERE event_type = NEW.event_type) THEN RAISE EXCEPTION 'the sweeping node died here'; END IF;
      RETURN NEW;
    END $$`);
  await db.query('CREATE TRIGGER sweep_crash BEFORE INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION sweep_crash_at()');
  const arm = async (type: StreamEventType | null) => {
    await db.query('DELETE FROM sweep_crash');
    if (type) await db.query('INSERT INTO sweep_crash (event_type) VALUES ($1)', [type]);
  };
  /** A session is ended exactly when its stream.disconnected is queued; a stream is idle exactly when its stream.idle is. */
  const consistent = async () => {
    const ended = (await session(live.sessionId)).endedAt !== null;
    assert.equal(await deliveries('stream.disconnected', live.sessionId), ended ? 1 : 0, `session ended: ${ended}`);
    const idle = (await status(live.streamId)) === 'idle';
    assert.equal(await deliveries('stream.idle', live.sessionId), idle ? 1 : 0, `stream idle: ${idle}`);
  };
  try {
    await arm('stream.disconnected');
    await dead.close();
    await sweepUntil([sweeper], async () => acted.length > 0, 'the dead node declared lost (and the sweep to die at the event)');
    for (let i = 0; i < 3; i++) await sweeper.sweep();
    await consistent();
    assert.equal((await session(live.sessionId)).endedAt, null, 'the session end rolled back with its event');

    await arm('stream.idle'); // now the session's end goes through, the stream's idle dies at its event
    await sweepUntil([sweeper], async () => (await session(live.sessionId)).endedAt !== null, 'the session ended by a later sweep');
    for (let i = 0; i < 3; i++) await sweeper.sweep();
    await consistent();
    assert.equal(await status(live.streamId), 'active', 'the idle rolled back with its event');

    await arm(null);
    await sweepUntil([sweeper], async () => (await status(live.streamId)) === 'idle', 'the stream idle');
    for (let i = 0; i < 5; i++) await sweeper.sweep(); // repeated sweeps add nothing
    await consistent();
    assert.equal(await deliveries('stream.disconnected', live.sessionId), 1);
    assert.equal(await deliveries('stream.idle', live.sessionId), 1);
  } finally {
    await db.query('DROP TRIGGER IF EXISTS sweep_crash ON webhook_deliveries');
    await db.query('DELETE FROM webhook_endpoints WHERE id = $1', ['whe_crash']);
  }
});

test('two sweepers ending one dead node at the same moment (no lock between them) queue each event once', async () => {
  const [s1, s2, dead] = [await node('s1', 't8:'), await node('s2', 't8:'), await node('dead2', 't8:')];
  const lives = [await liveStreamOn(dead), await liveStreamOn(dead), await liveStreamOn(dead)];
  const meet = rendezvous('dead2', 2);
  const one = sweeperOn(s1, { events: await webhookQueue(s1, 'whe_race'), lockless: true, meet });
  const otherDispatcher = new WebhookDispatcher({ db, logger: log });
  open.push(otherDispatcher);
  const two = sweeperOn(s2, { events: new ClusterEventRelay(otherDispatcher, s2), lockless: true, meet });
  try {
    await dead.close();
    // Each sweeper sweeps on its own clock: one held at the rendezvous must not stop the other from sweeping.
    let stop = false;
    const loops = [one, two].map(async ({ sweeper }) => {
      while (!stop) {
        await sweeper.sweep();
        await sleep(100);
      }
    });
    try {
      await waitFor('every stream of the dead node idle', async () => {
        for (const l of lives) if ((await status(l.streamId)) !== 'idle') return false;
        return true;
      }, 15_000, 100);
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    for (let i = 0; i < 5; i++) await Promise.all([one.sweeper.sweep(), two.sweeper.sweep()]);
    assert.ok(one.acted.includes('dead2') && two.acted.includes('dead2'), `both sweepers went for it: ${one.acted} / ${two.acted}`);
    for (const l of lives) {
      assert.equal((await session(l.sessionId)).endReason, 'node_lost');
      assert.equal(await deliveries('stream.disconnected', l.sessionId), 1, `one stream.disconnected for ${l.sessionId}`);
      assert.equal(await deliveries('stream.idle', l.sessionId), 1, `one stream.idle for ${l.streamId}`);
    }
  } finally {
    await db.query('DELETE FROM webhook_endpoints WHERE id = $1', ['whe_race']);
  }
});
