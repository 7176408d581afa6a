import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { startTestPostgres } from '../support/postgres.js';
import { run, waitFor, type Proc } from '../support/proc.js';
import { ffmpegSrtPublish, srtUrl } from '../support/srt-clients.js';
import { createSocket } from 'node:dgram';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';

/**
 * `--workers 2` as a user starts it (from the sources): one publish, players and an HLS client on the shared
 * ports land on either worker and all get frames; kill -9 of the worker that does not own the stream restarts it
 * and the publisher goes on.
 */
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let server: Proc;
let pub: Proc;
let rtmpBase = '';
let srtPort = 0;
let httpBase = '';
const dataDir = mkdtempSync(join(tmpdir(), 'onair-workers-'));

type LogLine = { msg?: string; pid?: number; worker?: number; rtmp?: string; http?: string; path?: string };
const lines = (): LogLine[] => server.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => {
  try {
    return JSON.parse(l) as LogLine;
  } catch {
    return {};
  }
});

before(async () => {
  pg = await startTestPostgres();
  // SRT's UDP port is the first worker's alone (its sessions are per peer): a free one for this test.
  const udp = createSocket('udp4');
  srtPort = await new Promise<number>((r) => udp.bind(0, '127.0.0.1', () => r(udp.address().port)));
  udp.close();
  server = run(process.execPath, ['--import', 'tsx', 'src/main.ts', '--workers', '2', '--database-url', pg.url, '--host', '127.0.0.1',
    '--rtmp-port', '0', '--http-port', '0', '--srt-port', String(srtPort), '--auth', 'open', '--log-level', 'info', '--data-dir', dataDir,
    '--api-token', 'workers-test-token-0123456789', '--hls-segment-ms', '500', '--edge-grace-ms', '2000'], { timeoutMs: 170_000 });
  const running = await waitFor('the primary running', () => lines().find((l) => l.msg?.startsWith('OnAir is running') && l.rtmp), 90_000, 200);
  rtmpBase = running.rtmp!.replace(/\/live$/, '');
  httpBase = running.http!.replace(/\/$/, '');
  pub = await ffmpegPublish(`${rtmpBase}/live/cam`);
  await waitFor('the publish', () => lines().some((l) => l.msg === 'publish started'), 30_000, 100);
});
after(async () => {
  await pub?.kill('SIGKILL');
  await server?.kill('SIGTERM');
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function play(url: string, seconds: number): Promise<{ video: number; audio: number }> {
  const out = tmpFile('workers.flv');
  const p = ffmpegRecord(url, out, seconds);
  assert.equal(await p.exited, 0, p.stderr());
  return ffprobeFrameCounts(out);
}

describe('--workers 2', () => {
  test('RTMP players and an HLS client get frames whichever worker they land on', async () => {
    const results = await Promise.all([
      ...[1, 2, 3, 4].map(() => play(`${rtmpBase}/live/cam`, 3)),
      play(`${httpBase}/hls/cam/index.m3u8`, 2),
    ]);
    for (const r of results.slice(0, 4)) assert.ok(r.video >= 60 && r.audio >= 100, `RTMP frames ${JSON.stringify(r)}`);
    assert.ok(results[4]!.video >= 40, `HLS frames ${JSON.stringify(results[4])}`);
    const owner = lines().find((l) => l.msg === 'publish started')!.worker;
    const players = lines().filter((l) => l.msg === 'play started');
    assert.ok(players.some((l) => l.worker !== owner), 'some player landed on the other worker (round-robin)');
    assert.ok(lines().some((l) => l.msg === 'edge pull live' && l.worker !== owner), 'served there through an internal pull');
  });

  test('SRT ingest (worker 1) plays over RTMP on either worker', async () => {
    const srt = await ffmpegSrtPublish(srtUrl(srtPort, '#!::r=live/srtcam,m=publish'), { loop: true });
    try {
      await waitFor('the SRT publish', () => lines().some((l) => l.msg === 'srt session started' && l.worker === 1), 20_000, 100);
      await waitFor('the SRT stream playable', async () => {
        const c = await RtmpClient.connect(`${rtmpBase}/live/srtcam`, {}, { timeoutMs: 5000 }).catch(() => undefined);
        const ok = await c?.play().then(() => true, () => false);
        c?.destroy();
        return ok;
      }, 20_000, 300);
      const results = await Promise.all([1, 2, 3].map(() => play(`${rtmpBase}/live/srtcam`, 2)));
      for (const r of results) assert.ok(r.video >= 35, `frames ${JSON.stringify(r)}`);
    } finally {
      await srt.kill('SIGKILL');
    }
  });

  test('kill -9 of the worker that does not own the stream: restarted, the publisher goes on', async () => {
    const owner = lines().find((l) => l.msg === 'publish started')!;
    const other = lines().find((l) => l.msg === 'worker ready' && l.worker !== owner.worker)!;
    assert.ok(other, 'the other worker logged');
    process.kill(other.pid!, 'SIGKILL');
    await waitFor('the restart', () => lines().some((l) => l.msg === 'worker died; starting it again'), 20_000, 100);
    await waitFor('the new worker', () => lines().some((l) => l.msg === 'worker ready' && l.worker === other.worker && l.pid !== other.pid), 60_000, 200);
    assert.equal(pub.child.exitCode, null, 'the publisher is still publishing');
    const results = await Promise.all([1, 2, 3].map(() => play(`${rtmpBase}/live/cam`, 2)));
    for (const r of results) assert.ok(r.video >= 35, `frames after the restart ${JSON.stringify(r)}`);
    assert.equal(lines().filter((l) => l.msg === 'publish started').length, 1, 'the publish never restarted');
  });
});

test('--workers 2 without PostgreSQL stops with one line', async () => {
  const p = run(process.execPath, ['--import', 'tsx', 'src/main.ts', '--workers', '2', '--host', '127.0.0.1', '--rtmp-port', '0', '--http-port', '0',
    '--srt-port', '0', '--data-dir', join(dataDir, 'pglite')], { timeoutMs: 60_000 });
  assert.equal(await p.exited, 2);
  const errLines = p.stderr().split('\n').filter((l) => l.trim());
  assert.deepEqual(errLines, ['onair: --workers 2 needs --database-url (PostgreSQL): the embedded database can only be opened by one process']);
});
