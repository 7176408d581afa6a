import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ffmpegPublish, ffmpegRecord } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { run, sleep, waitFor, within } from '../support/proc.js';
import { seedEmbeddedDatabase } from '../../support/embedded-db-template.js';

const root = resolve(import.meta.dirname, '../..');

test('SIGTERM: peers hear the end, the process exits 0 within 5 s', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-shutdown-'));
  // A first start creates the database (initdb, seconds on a busy machine), not what this tests: start on a copy.
  await seedEmbeddedDatabase(dataDir);
  const server = run(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), '--auth', 'open', '--host', '127.0.0.1',
    '--rtmp-port', '0', '--http-port', '0', '--srt-port', '0', '--data-dir', dataDir], { timeoutMs: 180_000 });
  try {
    const line = await waitFor('server start line', () => server.stdout().split('\n').find((l) => l.includes('OnAir is running')), 120_000);
    const { rtmp, http } = JSON.parse(line) as { rtmp: string; http: string };
    assert.ok((await fetch(`${http.replace('localhost', '127.0.0.1')}/healthz`)).ok);
    const base = rtmp.replace('localhost', '127.0.0.1');
    const pub = await ffmpegPublish(`${base}/bye`);
    // The publisher and then the player connected (the server's own log says so), however long ffmpeg takes to start.
    await waitFor('the publish', () => server.stdout().includes('"msg":"publish started"'), 30_000);
    const rec = ffmpegRecord(`${base}/bye`, tmpFile('bye.flv'), 30);
    await waitFor('the play', () => server.stdout().includes('"msg":"play started"'), 30_000);
    await sleep(500);
    const t0 = Date.now();
    server.child.kill('SIGTERM');
    const code = await server.exited;
    const took = Date.now() - t0;
    assert.equal(code, 0, server.stderr().slice(-2000));
    assert.ok(took < 5000, `shutdown took ${took} ms`);
    // Both clients end on their own (the publisher is told to stop; the player gets Play.Stop / EOF).
    const ends = await within(Promise.all([pub.exited, rec.exited]), 8000, 'running');
    assert.notEqual(ends, 'running', 'clients ended after the server went away');
    assert.match(server.stdout(), /shutting down/);
  } finally {
    await server.kill('SIGKILL');
  }
});
