import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { TEST_API_TOKEN } from '../../support/onair.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { run, type Proc } from '../support/proc.js';
import { callApi, type ApiStream } from '../support/stream-api.js';
import { CLUSTER_SECRET, LEASE_MS, until } from './support.js';
import { jsonLogLines } from '../support/json-log.js';

/**
 * `--cluster` with `--workers 2` on two machines (two node processes on loopback, a real Redis and PostgreSQL):
 * a stream published to A plays over RTMP and HLS from B whichever of B's workers a connection lands on, B pulls
 * it from A once (one worker per stream pulls and packages; the other reaches it over loopback), a publish race
 * between workers of both nodes has one winner, a worker's restart ends only its own sessions, and `onair drain`
 * on A drains both of A's workers.
 */
type LogLine = { msg?: string; worker?: number; pid?: number; path?: string; publishers?: number; owner?: string; rtmp?: string; http?: string; nodeId?: string };
interface WorkersNode { proc: Proc; rtmp: string; http: string; lines(): LogLine[] }

let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let a: WorkersNode;
let b: WorkersNode;
let cam: ApiStream;
const publishers: Proc[] = [];
const dirs: string[] = [];

/**
 * Bounds, not expectations: a primary and two workers each start main.ts under tsx, both nodes at once (six starts);
 * on a loaded machine that took over 60 s. The lifetime bound is for a leak only (killed in `after` and with the test
 * process): at 110 s it killed A in the middle of the file once the start had been slow (its API then 'fetch failed').
 */
async function startWorkersNode(nodeId: string, db: string): Promise<WorkersNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-cw-'));
  dirs.push(dataDir);
  const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
  const proc = run(process.execPath, ['--import', 'tsx', main, '--workers', '2', '--cluster', redis.url, '--node-id', nodeId, '--cluster-secret', CLUSTER_SECRET,
    '--cluster-lease-ms', String(LEASE_MS), '--database-url', db, '--host', '127.0.0.1', '--rtmp-port', '0', '--http-port', '0', '--srt-port', '0',
    '--auth', 'keys', '--takeover', 'reject', '--api-token', TEST_API_TOKEN, '--data-dir', dataDir, '--log-level', 'info', '--hls-segment-ms', '500', '--edge-grace-ms', '3000',
    '--edge-start-timeout-ms', '8000'], { timeoutMs: 600_000 });
  const lines = (): LogLine[] => jsonLogLines<LogLine>(proc.stdout());
  let running: LogLine | undefined;
  await until(() => (running = lines().find((l) => l.msg?.startsWith('OnAir is running') && l.rtmp)) !== undefined || proc.child.exitCode !== null, `${nodeId} running`, 180_000);
  assert.ok(running, proc.stderr());
  return { proc, lines, rtmp: running.rtmp!.replace(/\/live$/, ''), http: running.http!.replace(/\/$/, '') };
}

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const db = await freshPostgresDatabase(pg.url);
  [a, b] = await Promise.all([startWorkersNode('node-a', db), startWorkersNode('node-b', db)]);
});
after(async () => {
  for (const p of publishers) await p.kill('SIGKILL').catch(() => {});
  await Promise.all([a?.proc.kill('SIGTERM'), b?.proc.kill('SIGTERM')]);
  await redis?.stop();
  await pg?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function disconnectQuietly(client: Redis): void {
  client.removeAllListeners('error');
  client.on('error', () => {});
  client.disconnect();
}

async function record(url: string, seconds: number): Promise<{ video: number; audio: number }> {
  const out = tmpFile('cluster-workers.flv');
  const p = ffmpegRecord(url, out, seconds);
  assert.equal(await p.exited, 0, p.stderr());
  return ffprobeFrameCounts(out);
}

/** One GET on a connection of its own (so requests spread over the node's workers like separate players' would). */
function getFresh(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { connection: 'close', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

test('publish to A (2 workers): RTMP players and HLS on B (2 workers) get frames, one pull from A per node', async () => {
  cam = await callApi<ApiStream>(a.http, 'POST', '/streams', {});
  const path = `live/${cam.playbackId}`;
  publishers.push(await ffmpegPublish(`${a.rtmp}/live/${cam.streamKey}`));
  await until(() => a.lines().some((l) => l.msg === 'publish started' && l.path === path), 'the publish on A');

  const results = await Promise.all([
    ...[1, 2, 3, 4].map(() => record(`${b.rtmp}/${path}`, 3)),
    record(`${b.http}/hls/${cam.playbackId}/index.m3u8`, 2),
  ]);
  // 25 fps clip: 3 s is 75 video frames, 2 s is 50 (a start at a keyframe and slow starts allowed for).
  for (const r of results.slice(0, 4)) assert.ok(r.video >= 55 && r.audio >= 90, `RTMP frames on B ${JSON.stringify(r)}`);
  assert.ok(results[4]!.video >= 35, `HLS frames on B ${JSON.stringify(results[4])}`);
  const players = b.lines().filter((l) => l.msg === 'play started' && l.path === path);
  assert.deepEqual(new Set(players.map((l) => l.worker)), new Set([1, 2]), 'players landed on both of B\'s workers');
  const remote = b.lines().filter((l) => l.msg === 'edge pull starting' && l.path === path && !l.owner?.startsWith('@worker-'));
  assert.ok(remote.length >= 1 && remote.every((l) => l.owner?.startsWith('node-a-w')), `B pulls from A's workers: ${JSON.stringify(remote)}`);
  assert.equal(new Set(remote.map((l) => l.worker)).size, 1, 'one of B\'s workers pulls from A; the other reaches it over loopback');

  // A player's playlist and segment requests on separate connections (so on either worker) name the same segments.
  for (let round = 0; round < 3; round++) {
    const playlist = await getFresh(`${b.http}/hls/${cam.playbackId}/src/media.m3u8`);
    assert.equal(playlist.status, 200, playlist.body.toString());
    const uris = playlist.body.toString().split('\n').filter((l) => l && !l.startsWith('#')).slice(-2);
    assert.ok(uris.length > 0, playlist.body.toString());
    for (const uri of uris) {
      const seg = await getFresh(new URL(uri, `${b.http}/hls/${cam.playbackId}/src/media.m3u8`).href);
      assert.equal(seg.status, 200, `segment ${uri} on another connection: ${seg.body.toString().slice(0, 200)}`);
      assert.ok(seg.body.length > 0);
    }
  }

  // The health API on either of B's workers is the owning worker's on A (forwarded to A's shared port, and there to
  // the worker that owns the stream): its RTMP ingest, not a pull; B's stream list names the stream once.
  const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
  for (let round = 0; round < 4; round++) {
    const health = await getFresh(`${b.http}/api/v1/streams/${cam.id}/health`, auth);
    assert.equal(health.status, 200, health.body.toString());
    const h = JSON.parse(health.body.toString()) as { state: string; ingest: { protocol: string } | null };
    assert.deepEqual([h.state !== 'offline', h.ingest?.protocol], [true, 'rtmp'], `the health on B: ${health.body.toString().slice(0, 300)}`);
    const list = JSON.parse((await getFresh(`${b.http}/api/v1/health`, auth)).body.toString()) as { data: { streamId: string | null }[] };
    assert.equal(list.data.filter((l) => l.streamId === cam.id).length, 1, `the list on B: ${JSON.stringify(list)}`);
  }
});

test('four publishers of one stream on both workers of both nodes at once: exactly one goes live', async () => {
  const race = await callApi<ApiStream>(b.http, 'POST', '/streams', {});
  const racers = await Promise.all([a.rtmp, a.rtmp, b.rtmp, b.rtmp].map((base) => ffmpegPublish(`${base}/live/${race.streamKey}`)));
  publishers.push(...racers);
  // --takeover reject: the lease's first claimant keeps it and the others are refused (their ffmpeg exits).
  await until(() => racers.filter((p) => p.child.exitCode === null).length <= 1, 'the losers refused', 30_000);
  const started = [...a.lines(), ...b.lines()].filter((l) => l.msg === 'publish started' && l.path === `live/${race.playbackId}`);
  assert.equal(started.length, 1, `one publish started: ${JSON.stringify(started)}`);
  assert.equal(racers.filter((p) => p.child.exitCode === null).length, 1, 'one encoder still publishing');
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const holder = await client.hget(`onair:lease:live/${race.playbackId}`, 'node');
    assert.match(holder ?? '', /^node-[ab]-w[12]$/, 'the lease is held by one worker of one node');
  } finally {
    client.disconnect();
  }
});

test('kill -9 of one of A\'s workers: restarted under its id, its own session ended, the other worker\'s stream untouched', async () => {
  const camPath = `live/${cam.playbackId}`;
  const camWorker = a.lines().find((l) => l.msg === 'publish started' && l.path === camPath)!.worker;
  // Publish until a stream lands on A's other worker (the primary hands connections round-robin; bounded tries).
  let other: { stream: ApiStream; worker: number } | undefined;
  for (let i = 0; i < 6 && !other; i++) {
    const stream = await callApi<ApiStream>(a.http, 'POST', '/streams', {});
    publishers.push(await ffmpegPublish(`${a.rtmp}/live/${stream.streamKey}`));
    await until(() => a.lines().some((l) => l.msg === 'publish started' && l.path === `live/${stream.playbackId}`), 'the publish on A');
    const worker = a.lines().find((l) => l.msg === 'publish started' && l.path === `live/${stream.playbackId}`)!.worker!;
    if (worker !== camWorker) other = { stream, worker };
  }
  assert.ok(other, 'a publish landed on the other worker');
  const victim = a.lines().filter((l) => l.msg === 'worker ready' && l.worker === other.worker).at(-1)!;
  assert.equal(victim.nodeId, `node-a-w${other.worker}`, 'each worker is its own cluster node');
  process.kill(victim.pid!, 'SIGKILL');
  await until(() => a.lines().some((l) => l.msg === 'worker ready' && l.worker === other.worker && l.pid !== victim.pid), 'the worker restarted', 60_000);
  const restarted = a.lines().filter((l) => l.msg === 'worker ready' && l.worker === other.worker).at(-1)!;
  assert.equal(restarted.nodeId, victim.nodeId, 'restarted under the same cluster id');
  // The dead worker's session is ended (by its restart, or by a sweeper if the restart took two leases).
  await until(async () => {
    const sessions = (await callApi<{ data: { endedAt: string | null; endReason: string | null }[] }>(a.http, 'GET', `/streams/${other.stream.id}/sessions`)).data;
    return sessions.length === 1 && sessions[0]!.endedAt !== null && ['server_restart', 'node_lost'].includes(sessions[0]!.endReason ?? '');
  }, 'the killed worker\'s session ended', 30_000);
  const camSessions = (await callApi<{ data: { endedAt: string | null }[] }>(b.http, 'GET', `/streams/${cam.id}/sessions`)).data;
  assert.deepEqual(camSessions.map((x) => x.endedAt), [null], 'the other worker\'s session is still open');
  assert.equal((await callApi<{ status: string }>(b.http, 'GET', `/streams/${cam.id}`)).status, 'active');
  assert.equal(publishers[0]!.child.exitCode, null, 'its encoder still publishing');
  assert.equal(a.lines().filter((l) => l.msg === 'publish started' && l.path === camPath).length, 1, 'and never republished');
});

test('Redis restarted under two workers-nodes: A\'s stream keeps flowing, a publish during the outage goes live, both are claimed again and B plays the new one', async () => {
  const camPath = `live/${cam.playbackId}`;
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const leaseHolder = async (path: string): Promise<string | null> => {
    if (client.status !== 'ready') await client.connect().catch(() => {});
    return client.hget(`onair:lease:${path}`, 'node').catch(() => null);
  };
  try {
    await redis.kill();
    // The live stream goes on, whichever of A's workers a player lands on.
    const during = await record(`${a.rtmp}/${camPath}`, 3);
    assert.ok(during.video >= 55, `frames from A during the outage ${JSON.stringify(during)}`);
    const fresh = await callApi<ApiStream>(a.http, 'POST', '/streams', {});
    const freshPath = `live/${fresh.playbackId}`;
    publishers.push(await ffmpegPublish(`${a.rtmp}/live/${fresh.streamKey}`));
    await until(() => a.lines().some((l) => l.msg === 'publish started' && l.path === freshPath), 'a publish on A while Redis is down');
    await redis.restart();
    disconnectQuietly(client);
    await until(async () => /^node-a-w[12]$/.test((await leaseHolder(camPath)) ?? ''), 'A\'s worker to claim its stream again', 30_000);
    await until(async () => /^node-a-w[12]$/.test((await leaseHolder(freshPath)) ?? ''), 'A\'s worker to claim the outage publish', 30_000);
    assert.ok(a.lines().some((l) => l.msg?.startsWith('cluster store reachable again')), 'the workers saw Redis come back');
    // B finds the outage publish through the recovered registry and pulls it.
    const onB = await record(`${b.rtmp}/${freshPath}`, 3);
    assert.ok(onB.video >= 55, `frames on B of the stream published during the outage ${JSON.stringify(onB)}`);
    assert.equal(a.lines().filter((l) => l.msg === 'publish started' && l.path === camPath).length, 1, 'cam was never republished');
  } finally {
    disconnectQuietly(client);
  }
});

test('onair drain on A (API on one worker): both of A\'s workers drain, the answer counts both, A exits 0, the republish lands on B', async () => {
  // Both workers publishing (cam stays on its worker), so an answer that counted only the worker it reached is short.
  const camWorker = a.lines().find((l) => l.msg === 'publish started' && l.path === `live/${cam.playbackId}`)!.worker;
  let landedElsewhere = false;
  for (let i = 0; i < 6 && !landedElsewhere; i++) {
    const stream = await callApi<ApiStream>(a.http, 'POST', '/streams', {});
    publishers.push(await ffmpegPublish(`${a.rtmp}/live/${stream.streamKey}`));
    await until(() => a.lines().some((l) => l.msg === 'publish started' && l.path === `live/${stream.playbackId}`), 'the publish on A');
    landedElsewhere = a.lines().find((l) => l.msg === 'publish started' && l.path === `live/${stream.playbackId}`)!.worker !== camWorker;
  }
  assert.ok(landedElsewhere, 'a publish landed on the worker without cam');
  const res = await fetch(`${a.http}/api/v1/admin/drain`, { method: 'POST', headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
  const body = await res.json() as { publishers: number };
  assert.equal(res.status, 202, JSON.stringify(body));
  assert.equal(await a.proc.exited, 0, 'A\'s primary exits cleanly once every worker drained');
  assert.equal(a.lines().filter((l) => l.msg === 'worker drained').length, 2, 'both workers drained');
  const shares = a.lines().filter((l) => l.msg === 'draining: new publishers refused, closing the live ones');
  assert.equal(shares.length, 2, 'each worker drained its own publishers');
  assert.ok(shares.every((l) => (l.publishers ?? 0) >= 1), `both workers had publishers: ${JSON.stringify(shares.map((l) => l.publishers))}`);
  assert.equal(body.publishers, shares.reduce((n, l) => n + l.publishers!, 0), 'the answer is the machine\'s count');
  publishers.push(await ffmpegPublish(`${b.rtmp}/live/${cam.streamKey}`));
  await until(() => b.lines().some((l) => l.msg === 'publish started' && l.path === `live/${cam.playbackId}`), 'the republish on B (A released its lease)');
});
