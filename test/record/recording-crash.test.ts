/**
 * kill -9 of the OnAir process in the middle of a recording: the MP4 on disk reads in ffprobe with about the
 * duration recorded so far (fragments are written as they close; nothing is rewritten at the end), and the
 * next start finishes the asset from its journal (ready, endReason server_restart).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseMediaPlaylist } from '../../src/formats/m3u8/index.js';
import { run, waitFor, type Proc } from '../support/proc.js';
import { apiClient, probeMp4, publishLooped, waitAsset } from '../support/record-api.js';
import { seedEmbeddedDatabase } from '../../support/embedded-db-template.js';

const TOKEN = 'crash-test-admin-token-0123456789';
const MAIN = resolve(import.meta.dirname, '../../src/main.ts');

/**
 * OnAir as its own process (main.ts), on ephemeral ports; resolves with its ports once it is listening. Start-up
 * through tsx plus the embedded database took over 60 s on the shared VM under load, hence the generous wait;
 * a process that never listens is killed here (it would go on writing into the data dir being removed).
 */
async function startServerProcess(dataDir: string): Promise<{ proc: Proc; rtmp: string; http: string }> {
  const proc = run(process.execPath, ['--import', 'tsx', MAIN, '--host', '127.0.0.1', '--rtmp-port', '0', '--http-port', '0',
    '--data-dir', dataDir, '--auth', 'keys', '--api-token', TOKEN, '--log-level', 'info'], { timeoutMs: 360_000 });
  try {
    const running = await waitFor('the server to listen', () => {
      for (const line of proc.stdout().split('\n')) {
        if (!line.includes('OnAir is running')) continue;
        const { rtmp, http } = JSON.parse(line) as { rtmp: string; http: string };
        return { rtmp: rtmp.replace('localhost', '127.0.0.1'), http: http.replace('localhost', '127.0.0.1') };
      }
      if (proc.child.exitCode !== null) throw new Error(`server exited: ${proc.stderr()}`);
      return undefined;
    }, 180_000, 100);
    return { proc, ...running };
  } catch (err) {
    await proc.kill('SIGKILL');
    throw err;
  }
}

test('kill -9 mid-recording leaves an MP4 ffprobe reads; the next start finishes the asset from its journal', { timeout: 600_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-crash-'));
  await seedEmbeddedDatabase(dataDir); // a copy of the migrated database: the first start's initdb is not what this tests
  let publisher: Proc | undefined;
  let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  try {
    server = await startServerProcess(dataDir);
    let api = apiClient(server.http, TOKEN);
    const stream = await api('POST', '/streams', { settings: { record: true, reconnectWindowSec: 0 } });
    publisher = await publishLooped(`${server.rtmp}/${stream.streamKey}`, 'av.flv');
    const live = await waitAsset(api, stream.id, (a) => a.status === 'recording' && a.durationSec >= 5, '5 s recorded', 40_000);
    await server.proc.kill('SIGKILL');
    await publisher.kill('SIGKILL');
    const file = join(dataDir, 'recordings', live.id, 'recording.mp4');

    const crashed = await probeMp4(file);
    // What the API last reported is on disk; the server went on writing for a moment after that reading.
    assert.ok(crashed.durationSec >= live.durationSec - 0.1 && crashed.durationSec <= live.durationSec + 3,
      `after kill -9: ${crashed.durationSec} s in the file, ${live.durationSec} s reported before`);
    assert.ok(Math.abs(crashed.video.start - crashed.audio.start) < 0.1);
    assert.ok(crashed.video.packets >= live.durationSec * 25 - 3, `${crashed.video.packets} video frames`);

    server = await startServerProcess(dataDir);
    api = apiClient(server.http, TOKEN);
    const asset = await api('GET', `/assets/${live.id}`);
    assert.equal(asset.status, 'ready');
    assert.equal(asset.endReason, 'server_restart');
    assert.ok(asset.durationSec >= live.durationSec - 0.1 && asset.durationSec <= crashed.durationSec + 0.1, `recovered ${asset.durationSec} s`);
    const recovered = await probeMp4(file);
    assert.ok(Math.abs(recovered.durationSec - asset.durationSec) < 0.2, `file ${recovered.durationSec} s, asset ${asset.durationSec} s`);
    const pl = parseMediaPlaylist(await (await fetch(asset.playback.hls)).text());
    assert.equal(pl.playlistType, 'VOD');
    assert.ok(pl.endList);
    assert.ok(Math.abs(pl.segments.reduce((n, s) => n + s.duration, 0) - asset.durationSec) < 0.05);
    await server.proc.kill('SIGTERM');
  } finally {
    await publisher?.kill('SIGKILL');
    await server?.proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  }
});
