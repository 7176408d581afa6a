import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/onair.js';

/** Flags of a cluster node in tests: short leases so expiry tests take about a second. */
export const LEASE_MS = 900;

export function clusterNode(nodeId: string, databaseUrl: string, redisUrl: string, flags: Record<string, string | number> = {}): Promise<TestServer> {
  return startTestServer({
    'database-url': databaseUrl, cluster: redisUrl, 'node-id': nodeId, 'cluster-lease-ms': LEASE_MS, 'log-level': 'info', ...flags,
  });
}

/** Resolves when `check` holds, polling every 50 ms; fails after `ms` (a bound, not a timing expectation). */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The local publisher's id on `path`, if any. */
export function publisherId(server: TestServer, path: string): number | undefined {
  return server.hub.stream(path)?.publisher?.id;
}
