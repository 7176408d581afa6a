import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../support/onair.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { webhookReceiver, type Hook } from '../support/webhook-receiver.js';
import { serverApi, type ApiStream } from '../support/stream-api.js';
import { ffmpegPublish } from '../support/clients.js';
import { sleep, type Proc } from '../support/proc.js';
import { tcpCut } from '../support/tcp-cut.js';
import { JOURNAL_FILE } from '../../src/bridges/record/index.js';
import { clusterNode, publisherId, spawnNode, until } from './support.js';

// Two survivors (B, C: in-process) on one PostgreSQL + Redis; the nodes that die are processes of their own (kill -9).
let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let db: string;
let b: TestServer;
let c: TestServer;
let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
const procs: Proc[] = [];
// One recordings volume for every node (as on shared storage): a survivor can finish a lost node's recording.
const recordDir = mkdtempSync(join(tmpdir(), 'onair-dead-node-rec-'));
const FLAGS = { auth: 'keys', 'webhook-allow-networks': '127.0.0.1/32', 'record-dir': recordDir };

before(async () => {
  [pg, redis, receiver] = await Promise.all([startTestPostgres(), startTestRedis(), webhookReceiver()]);
  db = await freshPostgresDatabase(pg.url);
  b = await clusterNode('b', db, redis.url, FLAGS);
  c = await clusterNode('c', db, redis.url, FLAGS);
  await serverApi(b, 'POST', '/webhooks', { url: receiver.url });
});
after(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  await Promise.all([b?.close(), c?.close()]);
  await receiver?.close();
  await redis?.stop();
  await pg?.stop();
  rmSync(recordDir, { recursive: true, force: true });
});

const hooksOf = (streamId: string, type: string): Hook[] => receiver.hooks.filter((h) => h.type === type && h.body.data?.stream?.id === streamId);
const lostLines = (nodeId: string) => [...b.logs, ...c.logs].filter((l) => l.includes('cluster node lost') && l.includes(`"node":"${nodeId}"`));

/** A stream (1 s reconnect window) published by ffmpeg to a node process of its own, live (stream.active sent). */
async function publishOnOwnNode(nodeId: string, redisUrl = redis.url, record = false): Promise<{ stream: ApiStream; node: Awaited<ReturnType<typeof spawnNode>>; enc: Proc }> {
  const stream = await serverApi(b, 'POST', '/streams', { settings: { reconnectWindowSec: 1, record } }) as ApiStream;
  const node = await spawnNode(nodeId, db, redisUrl, FLAGS);
  procs.push(node.proc);
  const enc = await ffmpegPublish(node.rtmpUrl(stream.streamKey));
  procs.push(enc);
  await until(() => hooksOf(stream.id, 'stream.active').length > 0, `stream.active from ${nodeId}`);
  return { stream, node, enc };
}

async function sessionsOf(streamId: string): Promise<{ id: string; endedAt: string | null; endReason: string | null }[]> {
  return (await serverApi(b, 'GET', `/streams/${streamId}/sessions`)).data;
}

type ApiAsset = { id: string; status: string; endReason: string | null; durationSec: number };
const assetOf = async (streamId: string): Promise<ApiAsset | undefined> =>
  ((await serverApi(b, 'GET', `/assets?streamId=${streamId}`)) as { items: ApiAsset[] }).items[0];

test('owner killed with SIGKILL, no republish: one survivor ends its session (node_lost) and sets the stream idle; webhooks once', async () => {
  const { stream, node, enc } = await publishOnOwnNode('a1', redis.url, true);
  await until(async () => (await assetOf(stream.id))?.status === 'recording', 'a1 to be recording');
  const journal = join(recordDir, (await assetOf(stream.id))!.id, JOURNAL_FILE);
  // The journal's header and two fragments: media a survivor can finish.
  await until(() => (existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean).length : 0) >= 3, 'two fragments journaled');
  await node.proc.kill('SIGKILL');
  await enc.exited;
  await until(async () => (await serverApi(c, 'GET', `/streams/${stream.id}`)).status === 'idle', 'the stream to show idle on C', 30_000);
  const [session] = await sessionsOf(stream.id);
  assert.equal(session?.endReason, 'node_lost');
  assert.ok(session?.endedAt, 'the session has ended');
  assert.equal((await serverApi(b, 'GET', `/streams/${stream.id}`)).status, 'idle');
  // Both survivors sweep every half lease and both poll the delivery queue: give a second copy time to appear.
  await until(() => hooksOf(stream.id, 'stream.idle').length > 0, 'stream.idle webhook');
  await sleep(2000);
  assert.equal(hooksOf(stream.id, 'stream.disconnected').length, 1, 'stream.disconnected once');
  assert.equal(hooksOf(stream.id, 'stream.idle').length, 1, 'stream.idle once');
  assert.equal(hooksOf(stream.id, 'stream.idle')[0]!.body.data.session.id, session.id);
  assert.equal(lostLines('a1').length, 1, 'exactly one survivor acted');
  // Its recording is finished from the shared volume by the survivor, not left 'recording'.
  const asset = await assetOf(stream.id);
  assert.equal(asset?.status, 'ready', `the lost node's recording is finished (${JSON.stringify(asset)})`);
  assert.equal(asset?.endReason, 'node_lost');
  assert.ok(asset!.durationSec > 0, 'with the media recorded before the kill');
  assert.equal(receiver.hooks.filter((h) => h.type === 'asset.ready' && h.body.data?.asset?.id === asset!.id).length, 1, 'asset.ready once');
});

test('owner killed, the encoder republishes on B before the cleanup: the dead session ends, the stream stays active', async () => {
  const { stream, node, enc } = await publishOnOwnNode('a2');
  const path = `live/${stream.playbackId}`;
  await node.proc.kill('SIGKILL');
  await enc.exited;
  const again = await ffmpegPublish(b.rtmpUrl(stream.streamKey)); // --takeover (auto: takeover with keys) fences the dead owner
  procs.push(again);
  await until(() => publisherId(b, path) !== undefined, 'the republish to land on B');
  await until(() => lostLines('a2').length > 0, 'a survivor to find a2 lost', 30_000);
  const sessions = await sessionsOf(stream.id);
  assert.deepEqual(sessions.map((s) => s.endReason), [null, 'node_lost'], 'B\'s session open, a2\'s ended as node_lost');
  // Past the 1 s reconnect window and several sweeps: still active, no stream.idle, B's publisher untouched.
  await sleep(2500);
  assert.equal((await serverApi(c, 'GET', `/streams/${stream.id}`)).status, 'active');
  assert.equal(hooksOf(stream.id, 'stream.idle').length, 0, 'no stream.idle while live on B');
  assert.equal(hooksOf(stream.id, 'stream.disconnected').length, 1, 'a2\'s session disconnected once');
  assert.notEqual(publisherId(b, path), undefined);
  assert.equal(again.child.exitCode, null, 'the republishing encoder still runs');
  await again.kill('SIGKILL');
});

test('a node cut off from Redis past its lease comes back: it finds itself declared lost, closes its publisher, sends nothing twice', async () => {
  // a3 reaches Redis through a relay the test cuts (a partition: a3 and its encoder keep running, B and C see it vanish).
  const relay = await tcpCut({ host: '127.0.0.1', port: Number(new URL(redis.url).port) });
  try {
    const { stream, node, enc } = await publishOnOwnNode('a3', `redis://127.0.0.1:${relay.port}`);
    relay.cut();
    try {
      await until(() => lostLines('a3').length > 0, 'a survivor to declare a3 lost', 30_000);
    } finally {
      relay.restore();
    }
    // Back, a3 re-claims its (expired, unclaimed) lease: only the "declared lost" mark makes it close its publisher.
    await until(() => node.proc.stdout().includes('this node was declared lost'), 'a3 to read the mark at its next heartbeat');
    await until(() => enc.child.exitCode !== null || enc.child.signalCode !== null, 'a3 to close its publisher'); // a reconnect gets a new session
    await until(async () => (await serverApi(b, 'GET', `/streams/${stream.id}`)).status === 'idle', 'the stream to go idle', 30_000);
    await sleep(2000);
    assert.deepEqual((await sessionsOf(stream.id)).map((s) => s.endReason), ['node_lost'], 'ended once, by the survivor');
    assert.equal(hooksOf(stream.id, 'stream.disconnected').length, 1, 'stream.disconnected once (not again from a3)');
    assert.equal(hooksOf(stream.id, 'stream.idle').length, 1, 'stream.idle once');
    await node.proc.kill('SIGKILL');
  } finally {
    await relay.close();
  }
});
