import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_API_TOKEN } from '../../support/onair.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { run, type Proc } from '../support/proc.js';
import { CLUSTER_SECRET, LEASE_MS, spawnNode } from './support.js';

/**
 * With --workers N, worker k of machine `m` is the cluster node `m-wk`: a machine started with `--node-id m` while
 * another machine runs as `m-w2` must not join under that id (it would end the other's sessions at start and share
 * its leases). It stops at start, naming the id; the running machine is left as it was.
 */
let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let db: string;
const procs: Proc[] = [];

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  db = await freshPostgresDatabase(pg.url);
});
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await redis?.stop();
  await pg?.stop();
});

test('a --workers machine whose worker id is another machine\'s --node-id stops at start with the id named', async () => {
  const other = await spawnNode('m-w2', db, redis.url);
  procs.push(other.proc);
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-clash-'));
  try {
    const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
    const machine = run(process.execPath, ['--import', 'tsx', main, '--workers', '2', '--cluster', redis.url, '--node-id', 'm', '--cluster-secret', CLUSTER_SECRET,
      '--cluster-lease-ms', String(LEASE_MS), '--database-url', db, '--host', '127.0.0.1', '--rtmp-port', '0', '--http-port', '0', '--srt-port', '0',
      '--auth', 'open', '--api-token', TEST_API_TOKEN, '--data-dir', dataDir, '--log-level', 'info'], { timeoutMs: 90_000 });
    procs.push(machine);
    assert.equal(await machine.exited, 1, machine.stdout() + machine.stderr());
    assert.match(machine.stderr(), /onair: node id m-w2 is in use by another running OnAir process in this cluster .*--node-id/);
    assert.ok(!machine.stdout().includes('OnAir is running'));
    const res = await fetch(`${other.apiUrl}/api/v1/cluster`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    const cluster = await res.json() as { nodeId: string; nodes: { nodeId: string }[] };
    assert.equal(cluster.nodeId, 'm-w2');
    assert.ok(cluster.nodes.some((n) => n.nodeId === 'm-w2'), `the running machine is still registered: ${JSON.stringify(cluster.nodes)}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/**
 * Two processes started under one --node-id while Redis is down both run (a node does not wait for Redis to start).
 * When Redis comes back, one of them takes the id at its heartbeat and the other finds it taken: that one leaves
 * (exit 2, the id clash named), as it would have at start, instead of sharing leases and sessions with the first.
 */
test('two processes started under one node id while Redis is down: once Redis is back one leaves with exit 2, the other runs on', async () => {
  const late = await startTestRedis();
  await late.kill(); // its port is known and nothing listens on it yet
  try {
    const twins = await Promise.all([spawnNode('twin', db, late.url), spawnNode('twin', db, late.url)]);
    procs.push(...twins.map((t) => t.proc));
    await late.restart();
    const first = await Promise.race(twins.map((t, i) => t.proc.exited.then((code) => ({ i, code }))));
    const [gone, kept] = [twins[first.i]!, twins[1 - first.i]!];
    const said = gone.proc.stdout() + gone.proc.stderr();
    assert.equal(first.code, 2, said);
    assert.match(said, /another OnAir process holds this node id/);
    assert.match(said, /node id in use by another process/);
    await new Promise((r) => setTimeout(r, 4 * LEASE_MS)); // several more heartbeats of the one that stays
    assert.equal(kept.proc.child.exitCode, null, 'the other process runs on: ' + kept.proc.stdout());
    assert.ok(!(kept.proc.stdout() + kept.proc.stderr()).includes('another OnAir process holds this node id'), 'and never saw a clash itself');
    const res = await fetch(`${kept.apiUrl}/api/v1/cluster`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    const cluster = await res.json() as { nodeId: string; nodes: { nodeId: string }[] };
    assert.ok(cluster.nodes.some((n) => n.nodeId === 'twin'), `the id stays registered by the one left: ${JSON.stringify(cluster.nodes)}`);
  } finally {
    await late.stop();
  }
});
