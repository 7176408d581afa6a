import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { clip } from '../support/media.js';
import { run, waitFor } from '../support/proc.js';
import { discoverFfmpeg } from '../../src/services/transcode/index.js';
import { isAlive } from '../support/transcode-harness.js';

test('SIGKILL of the OnAir process leaves no ffmpeg behind (stdin EOF ends it)', async () => {
  const ffmpeg = await discoverFfmpeg({ configuredPath: '' });
  assert.ok(ffmpeg.found);
  const child = run(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../support/orphan-child.ts'), ffmpeg.path, await clip('bframes.flv')], { timeoutMs: 60_000 });
  const pid = Number(await waitFor('the ffmpeg pid', () => child.stdout().trim(), 20_000, 50));
  assert.ok(pid > 0 && isAlive(pid), `ffmpeg ${pid} running`);
  await child.kill('SIGKILL');
  await waitFor(`ffmpeg ${pid} to exit after its parent died`, () => !isAlive(pid) || isZombie(pid), 20_000, 50);
});

/** An exited child whose parent is gone is reaped by init; until then it is a zombie, which holds no resources. */
function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
