import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './load-config.js';
import { checkWorkerSettings, workerCount } from './workers.js';

test('--workers takes a count or auto', () => {
  assert.equal(workerCount('1'), 1);
  assert.equal(workerCount('4'), 4);
  assert.equal(workerCount('auto', 2), 2);
  for (const bad of ['0', '-1', 'two', '1.5', '999', '']) assert.throws(() => workerCount(bad), /--workers must be/);
});

test('more than one worker needs PostgreSQL, with a one-line error', () => {
  const cfg = (argv: string[]) => loadConfig({ argv, env: {} });
  assert.equal(checkWorkerSettings(cfg([])), 1);
  assert.throws(() => checkWorkerSettings(cfg(['--workers', '2'])), /^OnAirError: --workers 2 needs --database-url \(PostgreSQL\)|--workers 2 needs --database-url/);
  assert.equal(checkWorkerSettings(cfg(['--workers', '2', '--database-url', 'postgres://x@127.0.0.1/db'])), 2);
});
