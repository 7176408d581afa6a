import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_API_TOKEN, startTestServer, type TestServer } from '../../support/onair.js';
import { freePort, retryIfPortTaken } from '../../support/free-port.js';
import { run, waitFor, type Proc } from '../support/proc.js';

/** Flags of a cluster node in tests: short leases so expiry tests take about a second. */
export const LEASE_MS = 900;
/** Every node of a test cluster signs and verifies internal pulls with this. */
export const CLUSTER_SECRET = 'test-cluster-secret';

export function clusterNode(nodeId: string, databaseUrl: string, redisUrl: string, flags: Record<string, string | number> = {}): Promise<TestServer> {
  return startTestServer({
    'database-url': databaseUrl, cluster: redisUrl, 'node-id': nodeId, 'cluster-lease-ms': LEASE_MS, 'cluster-secret': CLUSTER_SECRET, 'log-level': 'info', ...flags,
  });
}

/** Resolves when `check` holds (test/support's waitFor with the check first); fails after `ms`, a bound, not a timing expectation. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  await waitFor(what, check, ms);
}

/** The local publisher's id on `path`, if any. */
export function publisherId(server: TestServer, path: string): number | undefined {
  return server.hub.stream(path)?.publisher?.id;
}

/** A cluster node in its own process (src/main.ts), for kill -9 and drain-then-exit. Resolves once it is running. */
export function spawnNode(nodeId: string, databaseUrl: string, redisUrl: string, flags: Record<string, string | number> = {}): Promise<{ proc: Proc; rtmpUrl(name: string): string; apiUrl: string }> {
  return retryIfPortTaken(() => spawnNodeOnce(nodeId, databaseUrl, redisUrl, flags), (err) => err.message.includes('already in use'));
}

async function spawnNodeOnce(nodeId: string, databaseUrl: string, redisUrl: string, flags: Record<string, string | number>): Promise<{ proc: Proc; rtmpUrl(name: string): string; apiUrl: string }> {
  const [rtmp, http] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-node-'));
  const argv = Object.entries({
    host: '127.0.0.1', 'rtmp-port': rtmp, 'http-port': http, 'srt-port': 0, 'data-dir': dataDir, auth: 'open', 'api-token': TEST_API_TOKEN,
    'database-url': databaseUrl, cluster: redisUrl, 'node-id': nodeId, 'cluster-lease-ms': LEASE_MS, 'cluster-secret': CLUSTER_SECRET, ...flags,
  }).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
  // Bounds, not expectations: under the shared machine's load (15 on 2 cores) tsx's start of main.ts took over 30 s, at
  // 25-30 over 60 s. The process's lifetime is a bound for a leak only (it is killed with the test process): a node
  // that lives through a file must not be killed by it midway on a slow machine.
  const proc = run(process.execPath, ['--import', 'tsx', main, ...argv], { timeoutMs: 600_000 });
  void proc.exited.then(() => rmSync(dataDir, { recursive: true, force: true }));
  await until(() => proc.stdout().includes('OnAir is running') || proc.child.exitCode !== null, `node ${nodeId} to start`, 180_000);
  if (!proc.stdout().includes('OnAir is running')) {
    await proc.exited; // all of its stderr, which says why
    assert.fail(proc.stderr());
  }
  return { proc, rtmpUrl: (name) => `rtmp://127.0.0.1:${rtmp}/live/${name}`, apiUrl: `http://127.0.0.1:${http}` };
}
