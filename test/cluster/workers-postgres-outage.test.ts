import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pgClient from 'pg';
import { TEST_API_TOKEN } from '../../support/onair.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { oneAtATime, run, sleep, within, type Proc } from '../support/proc.js';
import { callApi, type ApiStream } from '../support/stream-api.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { CLUSTER_SECRET, until } from './support.js';
import { jsonLogLines } from '../support/json-log.js';

/**
 * README "PostgreSQL outage" under `--workers 2` (one machine, real PostgreSQL stopped and started again, no
 * restart of OnAir): publishers on both workers keep feeding their players (local and pulled from the sibling
 * worker: the primary's directory answers over IPC, no database involved), a known key that never published is
 * taken from the last-known keys on whichever worker it reaches, an unknown key is refused with `unavailable`,
 * the API answers 503; a worker killed during the outage cannot start without the database and is started again
 * once it is back; then the API answers, a new publish works and the outage's sessions are in the database.
 * Once on a machine alone, once on a machine that is also a cluster node (`--cluster`, Redis up): README "PostgreSQL
 * outage" is the same policy in both (the cluster's leases are Redis's).
 *
 * Each test has its own PostgreSQL (each stops and starts its own) and its own machine, so the three run side by side:
 * they wait on real time (players of 14 s, restarts failing while the database is down), not on the CPU.
 */
type LogLine = { msg?: string; worker?: number; path?: string; code?: string; pid?: number };
const PLAY_SECONDS = 14;
/**
 * The cluster case's lease. Nothing here waits for a lease to expire, and the test cluster's 0.9 s lease was too short
 * for this machine under the suite's load (two workers, seven ffmpeg, a neighbour test): a worker that missed its
 * renewal lost the stream and closed its publisher, and the session the test waits for had ended.
 */
const WORKERS_LEASE_MS = 5000;
let redis: TestRedis;
const pgs: TestPostgres[] = [];
const procs: Proc[] = [];
const dirs: string[] = [];
type WorkersNode = { name: string; proc: Proc; rtmp: string; http: string; db: string; pg: TestPostgres; lines(): LogLine[] };

before(async () => {
  redis = await startTestRedis();
});
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL').catch(() => {})));
  await redis?.stop();
  await Promise.all(pgs.map((pg) => pg.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * The tests' machines start one at a time: a start is CPU (a primary and two workers loading the sources), and three at
 * once beside a neighbour file went past the 60 s start wait on the loaded VM. What follows a start mostly waits.
 */
const startOneAtATime = oneAtATime();
function startWorkersNode(cluster: boolean): Promise<WorkersNode> {
  return startOneAtATime(() => startWorkersNodeNow(cluster));
}

/** A `--workers 2` machine on its own PostgreSQL; `cluster`: also a cluster node (Redis stays up throughout). */
async function startWorkersNodeNow(cluster: boolean): Promise<WorkersNode> {
  const pg = await startTestPostgres();
  pgs.push(pg);
  const db = await freshPostgresDatabase(pg.url);
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-wpg-'));
  dirs.push(dataDir);
  const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
  const clusterFlags = cluster
    ? ['--cluster', redis.url, '--node-id', 'wpg', '--cluster-secret', CLUSTER_SECRET, '--cluster-lease-ms', String(WORKERS_LEASE_MS)]
    : [];
  const proc = run(process.execPath, ['--import', 'tsx', main, '--workers', '2', '--database-url', db, '--host', '127.0.0.1',
    '--rtmp-port', '0', '--http-port', '0', '--srt-port', '0', '--auth', 'keys', '--api-token', TEST_API_TOKEN, '--data-dir', dataDir,
    '--log-level', 'info', '--edge-grace-ms', '3000', ...clusterFlags], { timeoutMs: 200_000 });
  procs.push(proc);
  const lines = (): LogLine[] => jsonLogLines<LogLine>(proc.stdout());
  let running: (LogLine & { rtmp?: string; http?: string }) | undefined;
  await until(() => (running = lines().find((l) => l.msg?.startsWith('OnAir is running'))) !== undefined || proc.child.exitCode !== null, 'the workers node running', 60_000);
  assert.ok(running?.rtmp && running.http, proc.stderr());
  return { name: cluster ? 'cluster' : 'alone', proc, lines, db, pg, rtmp: running.rtmp.replace(/\/live$/, ''), http: running.http.replace(/\/$/, '') };
}

const publishedOn = (node: WorkersNode, path: string): number | undefined => node.lines().find((l) => l.msg === 'publish started' && l.path === path)?.worker;

async function publish(node: WorkersNode, s: ApiStream): Promise<{ proc: Proc; worker: number }> {
  const proc = await ffmpegPublish(`${node.rtmp}/live/${s.streamKey}`);
  procs.push(proc);
  const path = `live/${s.playbackId}`;
  await until(() => publishedOn(node, path) !== undefined || proc.child.exitCode !== null, `the publish of ${path}`);
  assert.ok(publishedOn(node, path), proc.stderr());
  return { proc, worker: publishedOn(node, path)! };
}


/** The outage, on the machine `node` (below, once alone and once as a cluster node). */
async function outage(node: WorkersNode): Promise<void> {
  const { pg } = node;
  // Publishers on both workers (RTMP connections are handed out round-robin; a third stream if two share one).
  const onWorker = new Map<number, ApiStream>();
  for (let i = 0; i < 4 && onWorker.size < 2; i++) {
    const s = await callApi<ApiStream>(node.http, 'POST', '/streams', {});
    const { worker } = await publish(node, s);
    if (!onWorker.has(worker)) onWorker.set(worker, s);
  }
  assert.deepEqual([...onWorker.keys()].sort(), [1, 2], 'publishers on both workers');
  const live = [...onWorker.values()];
  const spare = await callApi<ApiStream>(node.http, 'POST', '/streams', {}); // known to the directory, never published
  const after = await callApi<ApiStream>(node.http, 'POST', '/streams', {});
  // Two players per stream: with round-robin hand-out, viewers on the owning worker and on its sibling (a pull).
  const recordings = live.flatMap((s, i) => [0, 1].map((k) => {
    const out = tmpFile(`wpg-${node.name}-${i}-${k}.flv`); // the tests run at once in one process
    const p = ffmpegRecord(`${node.rtmp}/live/${s.playbackId}`, out, PLAY_SECONDS);
    procs.push(p);
    return { p, out, path: `live/${s.playbackId}` };
  }));
  await until(() => recordings.every((r) => node.lines().filter((l) => l.msg === 'play started' && l.path === r.path).length >= 2), 'the players playing');
  const playerWorkers = new Set(node.lines().filter((l) => l.msg === 'play started').map((l) => l.worker));
  assert.deepEqual([...playerWorkers].sort(), [1, 2], 'players on both workers');
  await sleep(1500);

  await pg.halt();
  const outageStart = node.lines().length;
  // A known key during the outage: taken from the last-known keys on whichever worker it lands.
  const spareRun = await publish(node, spare);
  assert.ok(node.lines().some((l) => l.msg?.includes('checked against the last-known keys')));
  // An unknown key: refused at once, with the reason.
  const bogus = await ffmpegPublish(`${node.rtmp}/live/sk_${'q'.repeat(28)}`);
  procs.push(bogus);
  const exit = await within(bogus.exited, 15_000, 'still running' as const);
  assert.notEqual(exit, 'still running', 'an unknown key is refused during the outage');
  assert.ok(node.lines().some((l) => l.msg === 'publish refused' && l.code === 'unavailable'));
  const res = await fetch(`${node.http}/api/v1/streams`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
  await res.body?.cancel();
  assert.equal(res.status, 503, 'the API says the database is unavailable');

  // The players have been playing through the outage: every one of them got (nearly) real-time frames.
  for (const r of recordings) {
    assert.equal(await r.p.exited, 0, r.p.stderr());
    const frames = await ffprobeFrameCounts(r.out);
    assert.ok(frames.video >= PLAY_SECONDS * 25 * 0.9, `${r.path}: ${frames.video} video frames in ${PLAY_SECONDS} s`);
  }

  // A worker that dies during the outage cannot start again until the database is back, and then does.
  const victimIndex = spareRun.worker === 1 ? 2 : 1; // not the one holding the outage's publish (its session is checked below)
  const victimPid = node.lines().filter((l) => l.msg === 'worker ready' && l.worker === victimIndex).at(-1)?.pid;
  assert.ok(victimPid, 'the worker\'s pid in its ready line');
  const startFailures = (): number => node.proc.stderr().split('cannot use the database').length - 1;
  const failedBefore = startFailures();
  process.kill(victimPid, 'SIGKILL');
  await until(() => node.lines().slice(outageStart).some((l) => l.msg === 'worker died; starting it again'), 'the primary sees the worker die');
  // Its start fails while PostgreSQL is down (OnAir does not start without its database), more than once.
  await until(() => startFailures() >= failedBefore + 2, 'the worker\'s restarts to fail during the outage', 60_000);

  await pg.restart();
  await until(() => node.lines().slice(outageStart).some((l) => l.msg === 'worker ready' && l.worker === victimIndex), 'the killed worker back once PostgreSQL is', 45_000);
  await until(async () => (await fetch(`${node.http}/api/v1/streams`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } }).then(async (r) => {
    await r.body?.cancel();
    return r.status;
  })) === 200, 'the API answering again', 30_000);
  // Every worker takes new publishes again (two publishes of new streams: round-robin puts them on both).
  const fresh = await callApi<ApiStream>(node.http, 'POST', '/streams', {});
  const afterRuns = [await publish(node, after), await publish(node, fresh)];
  assert.deepEqual(afterRuns.map((r) => r.worker).sort(), [1, 2], 'new publishes on both workers after the outage');
  // The outage's session reached the database; the new ones are recorded.
  for (const [name, s] of [['spare', spare], ['after', after], ['fresh', fresh]] as const) {
    let seen: unknown;
    await until(async () => {
      const list = await callApi<{ data: { endedAt: string | null; endReason?: string | null }[] }>(node.http, 'GET', `/streams/${s.id}/sessions`);
      seen = list.data;
      return list.data.length === 1 && list.data[0]!.endedAt === null;
    }, `${s.id}'s open session in the database`, 30_000).catch((err: Error) => {
      const path = `live/${s.playbackId}`;
      const why = node.lines().filter((l) => l.path === path || /lease|lost|queued|database/i.test(l.msg ?? '')).slice(-15);
      throw new Error(`${err.message} (the ${name} stream; sessions ${JSON.stringify(seen)}; log ${JSON.stringify(why)})`);
    });
    // The session's row comes first, the stream's status with its first keyframe: after an outage the queued writes
    // replay one by one, so the status may follow the session by a moment (it did under a loaded clean-clone run).
    await until(async () => (await callApi<{ status: string }>(node.http, 'GET', `/streams/${s.id}`)).status === 'active', `${s.id} active`, 15_000);
  }
  // The streams still on their (surviving) worker have one session each, still open.
  const survivor = live.find((s) => onWorker.get(victimIndex) !== s)!;
  const list = await callApi<{ data: { endedAt: string | null }[] }>(node.http, 'GET', `/streams/${survivor.id}/sessions`);
  assert.deepEqual(list.data.map((x) => x.endedAt), [null], 'the surviving worker\'s stream: one open session throughout');
}

describe('PostgreSQL outages under --workers 2', { concurrency: true }, () => {
  test('PostgreSQL down under --workers 2: both workers\' streams keep flowing to their players, known keys publish, unknown ones are refused; back without a restart', async () => {
    const node = await startWorkersNode(false);
    await outage(node);
    await node.proc.kill('SIGTERM');
  });

  test('the same under --workers 2 --cluster (Redis up): the workers\' leases and the IPC directory need no database', async () => {
    const node = await startWorkersNode(true);
    await outage(node);
    await node.proc.kill('SIGTERM');
  });

  /**
   * `onair drain` while PostgreSQL is down, under `--workers 2`: the drain needs no database (the API's admin token is
   * checked in memory), both workers close their publishers, and the machine leaves only once the session ends it
   * queued have reached the database (PostgreSQL back meanwhile); they are not lost with the queue.
   */
  test('onair drain during a PostgreSQL outage under --workers 2: both workers drain, and exit once their queued session ends are written', async () => {
    const node = await startWorkersNode(false);
    const { pg } = node;
    const onWorker = new Map<number, { s: ApiStream; proc: Proc }>();
    for (let i = 0; i < 4 && onWorker.size < 2; i++) {
      const s = await callApi<ApiStream>(node.http, 'POST', '/streams', {});
      const run = await publish(node, s);
      if (!onWorker.has(run.worker)) onWorker.set(run.worker, { s, proc: run.proc });
    }
    assert.deepEqual([...onWorker.keys()].sort(), [1, 2], 'publishers on both workers');
    const streams = [...onWorker.values()].map((x) => x.s);
    for (const s of streams) {
      await until(async () => (await callApi<{ data: unknown[] }>(node.http, 'GET', `/streams/${s.id}/sessions`)).data.length === 1, `${s.id}'s session in the database`);
    }

    await pg.halt();
    const drainedAt = node.lines().length;
    const res = await fetch(`${node.http}/api/v1/admin/drain`, { method: 'POST', headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    const body = await res.text();
    assert.equal(res.status, 202, `drain during the outage: ${body}`);
    assert.equal((JSON.parse(body) as { publishers: number }).publishers, 2, body);
    // The publishers were closed (ffmpeg does not reconnect: it exits).
    for (const { proc } of onWorker.values()) await within(proc.exited, 15_000, undefined);
    assert.ok([...onWorker.values()].every(({ proc }) => proc.child.exitCode !== null), 'both publishers closed');
    await until(() => node.lines().slice(drainedAt).filter((l) => l.msg === 'drained: no publisher left').length >= 2, 'both workers drained').catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(node.lines().slice(drainedAt).map((l) => [l.worker, l.msg]))}`);
    });
    // Still there: its session ends wait in memory for the database.
    await sleep(2000);
    assert.equal(node.proc.child.exitCode, null, 'the machine waits for its queued writes instead of exiting with them');
    await pg.restart();
    assert.equal(await within(node.proc.exited, 60_000, 'still running'), 0, 'the machine exits 0 once its writes are flushed');
    const client = new pgClient.Client({ connectionString: node.db });
    await client.connect();
    try {
      const rows = await client.query<{ stream_id: string; ended_at: Date | null; end_reason: string | null }>(
        'SELECT stream_id, ended_at, end_reason FROM stream_sessions WHERE stream_id = ANY($1)', [streams.map((s) => s.id)],
      );
      assert.equal(rows.rows.length, 2, JSON.stringify(rows.rows));
      for (const r of rows.rows) assert.ok(r.ended_at !== null, `session of ${r.stream_id} ended in the database: ${JSON.stringify(r)}`);
    } finally {
      await client.end();
    }
  });
});
