import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../support/proc.js';

test('--cluster with the embedded database: one line naming DATABASE_URL, exit 2, no database created', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-cluster-start-'));
  try {
    const p = run(process.execPath, ['--import', 'tsx', 'src/main.ts', '--host', '127.0.0.1', '--srt-port', '0', '--rtmp-port', '0', '--http-port', '0',
      '--data-dir', join(dataDir, 'd'), '--log-level', 'warn', '--cluster', 'redis://:hunter2pw@127.0.0.1:1'], { timeoutMs: 60_000 });
    assert.equal(await p.exited, 2);
    const lines = p.stderr().split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, p.stderr());
    assert.match(lines[0]!, /^onair: --cluster needs a shared PostgreSQL database: set DATABASE_URL/);
    assert.ok(!(p.stdout() + p.stderr()).includes('hunter2pw'), 'the Redis password is never printed');
    assert.equal(existsSync(join(dataDir, 'd')), false);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
