import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { ffmpegPublish } from '../support/clients.js';
import { ffmpegViewer } from '../support/playback-viewers.js';
import { HlsFollower } from '../support/hls-follower.js';
import { jsonLogLines, ownerAndOtherWorker, type WorkerReadyLine } from '../support/json-log.js';
import { run, waitFor, type Proc } from '../support/proc.js';
import { countsSettle } from '../support/health-feed.js';
import { serverApi, type ApiStream } from '../support/stream-api.js';
import { CLUSTER_SECRET, clusterNode } from './support.js';
import { firstDesignated } from '../../src/workers-primary.js';

/**
 * Issues 21/18 with `--workers 2` on the edge machine B (each worker a cluster node): a stream published on A; HLS
 * viewers first on the worker that does not answer the stream for the machine only (the designated one serves none
 * itself and still reports its sibling's), then also on the designated one and one whose requests alternate between
 * the two, and an HTTP-FLV player (ffmpeg) on each. B's workers report to the one that pulls the stream for the machine (IPC), which reports the
 * machine's figure to A (Redis): A's health counts each once, and B's health API answers A's. The other worker's
 * player leaving takes it out.
 */
const LEASE_MS = 4000;

let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let a: TestServer;
let b: Proc;
let pub: Proc | undefined;
const procs: Proc[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'onair-evw-'));

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const db = await freshPostgresDatabase(pg.url);
  a = await clusterNode('evw-a', db, redis.url, { auth: 'keys', 'cluster-lease-ms': LEASE_MS, 'hls-segment-ms': 500 });
  const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
  b = run(process.execPath, ['--import', 'tsx', main, '--workers', '2', '--cluster', redis.url, '--node-id', 'evw-b', '--cluster-secret', CLUSTER_SECRET,
    '--cluster-lease-ms', String(LEASE_MS), '--database-url', db, '--host', '127.0.0.1', '--rtmp-port', '0', '--http-port', '0', '--srt-port', '0',
    '--auth', 'keys', '--api-token', TEST_API_TOKEN, '--data-dir', dataDir, '--log-level', 'info', '--edge-grace-ms', '30000'], { timeoutMs: 600_000 });
  await waitFor('B running', () => lines().some((l) => l.msg?.startsWith('OnAir is running')) || b.child.exitCode !== null, 180_000, 200);
  assert.ok(lines().some((l) => l.msg?.startsWith('OnAir is running')), b.stderr());
});
after(async () => {
  for (const p of procs) await p.kill('SIGKILL').catch(() => {});
  await pub?.kill('SIGKILL');
  await b?.kill('SIGTERM');
  await a?.close();
  await redis?.stop();
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Health { ingest: { protocol: string } | null; viewers: { rtmp: number; hls: number; flv: number; total: number } }

const lines = (): (WorkerReadyLine & { owner?: string })[] => jsonLogLines<WorkerReadyLine & { owner?: string }>(b.stdout());

test('--workers 2 on the edge: each worker\'s HLS viewers and FLV players reach the owner once, through the worker that reports the machine', async () => {
  const stream = await serverApi(a, 'POST', '/streams', {}) as ApiStream;
  const viewers = async (): Promise<string> => {
    const v = (await serverApi(a, 'GET', `/streams/${stream.id}/health`) as { viewers: { rtmp: number; hls: number; flv: number; total: number } }).viewers;
    return `rtmp ${v.rtmp} flv ${v.flv} hls ${v.hls} total ${v.total}`;
  };
  const ownerCounts = (what: string, want: string, timeoutMs = 30_000): Promise<void> => countsSettle(viewers, what, want, timeoutMs);
  pub = await ffmpegPublish(a.rtmpUrl(stream.streamKey));
  await waitFor('the stream live on A', async () => (await serverApi(a, 'GET', `/streams/${stream.id}/health`) as { state: string }).state !== 'offline', 30_000, 250);
  const ready = ownerAndOtherWorker(lines(), 1);
  const ports = [ready.owner?.internal?.http, ready.other?.internal?.http];
  assert.ok(ports[0] && ports[1], 'both workers\' internal ports logged');
  // The worker the primary designates to pull (and answer the HLS of) the stream for the machine, and the other.
  const d = firstDesignated(`live/${stream.playbackId}`, 2);
  const [designated, other] = [ports[d]!, ports[1 - d]!];

  // HLS viewers on the other worker only (HLS alone: proxied, no pull): the designated worker serves none itself and
  // reports its sibling's to A.
  const followers = [
    new HlsFollower(stream.playbackId, 'other-viewer/1', [other]),
    new HlsFollower(stream.playbackId, 'other-viewer/2', [other]),
  ].map((f) => f.start());
  const flv = (port: number): Proc => ffmpegViewer(`http://127.0.0.1:${port}/live/${stream.playbackId}.flv`);
  try {
    await ownerCounts('the other worker\'s viewers, through the designated one', 'rtmp 0 flv 0 hls 2 total 2');
    // An FLV player on each worker (the designated one pulls from A, the other from it), one HLS viewer on the
    // designated worker and one whose requests alternate between the two (once).
    const players = [flv(ports[0]), flv(ports[1])];
    procs.push(...players);
    followers.push(new HlsFollower(stream.playbackId, 'designated-viewer/1', [designated]).start(), new HlsFollower(stream.playbackId, 'both-viewer/1', [designated, other]).start());
    await ownerCounts('each of B\'s viewers once', 'rtmp 0 flv 2 hls 4 total 6');
    // The health API on either worker of B is A's (forwarded to A: its ingest, the cluster's viewers), and B's stream
    // list names the stream once, with A's count (neither worker lists its pull).
    const owner = await serverApi(a, 'GET', `/streams/${stream.id}/health`) as Health;
    for (const port of ports) {
      const worker = { httpUrl: (path: string) => `http://127.0.0.1:${port}${path}` };
      const here = await serverApi(worker, 'GET', `/streams/${stream.id}/health`) as Health;
      assert.deepEqual([here.ingest?.protocol, here.viewers], ['rtmp', owner.viewers], `health on B's worker at ${port}`);
      const listed = ((await serverApi(worker, 'GET', '/health')) as { data: { streamId: string | null; viewers: number }[] }).data.filter((l) => l.streamId === stream.id);
      assert.deepEqual(listed.map((l) => l.viewers), [6], `the list on B's worker at ${port}`);
    }
    const pull = lines().find((l) => l.msg === 'edge pull live' && l.owner === 'evw-a');
    assert.equal(pull?.worker, d + 1, 'the designated worker pulls from A');
    await players[1 - d]!.kill('SIGKILL');
    await ownerCounts('the other worker\'s player gone', 'rtmp 0 flv 1 hls 4 total 5');
  } finally {
    await Promise.all(followers.map((f) => f.stop()));
  }
  for (const f of followers) assert.deepEqual(f.failures, [], 'every request answered');
});
