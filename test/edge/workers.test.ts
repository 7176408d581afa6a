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
import { freeUdpPort } from '../../support/free-port.js';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { rawRequest, requestHead } from '../support/raw-http.js';
import { jsonLogLines } from '../support/json-log.js';

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

type LogLine = { msg?: string; pid?: number; worker?: number; rtmp?: string; http?: string; path?: string; internal?: { http: number } };
const lines = (): LogLine[] => jsonLogLines<LogLine>(server.stdout());

before(async () => {
  pg = await startTestPostgres();
  // SRT's UDP port is the first worker's alone (its sessions are per peer): one for this test, below the ephemeral
  // range (freeUdpPort), where no UDP socket bound to port 0 can take it before the worker binds it.
  srtPort = await freeUdpPort();
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

/** Each worker's onair_http_lean_requests_total by listener, read on its own loopback port (the shared one picks a worker). */
async function leanCounts(): Promise<Map<number, { public: number; internal: number }>> {
  const ports = new Map<number, number>();
  for (const l of lines()) if (l.msg === 'worker ready' && l.internal) ports.set(l.worker!, l.internal.http);
  const counts = new Map<number, { public: number; internal: number }>();
  for (const [worker, port] of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const read = (listener: string): number => Number(new RegExp(`^onair_http_lean_requests_total\\{listener="${listener}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    counts.set(worker, { public: read('public'), internal: read('internal') });
  }
  return counts;
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

  test('HLS on either worker is read by the lean HTTP front, plays, and is answered as the owner answers it', async () => {
    const before = await leanCounts();
    assert.equal(before.size, 2, 'both workers\' metrics');
    // Players on the shared port: round-robin puts their connections on both workers; the one that does not own the
    // stream forwards each request to the owner's loopback port.
    const results = await Promise.all([1, 2, 3, 4].map(() => play(`${httpBase}/hls/cam/index.m3u8`, 2)));
    for (const r of results) assert.ok(r.video >= 40, `HLS frames ${JSON.stringify(r)}`);
    const port = Number(new URL(httpBase).port);
    const get = (path: string, extra = '', method = 'GET'): string => requestHead(port, path, extra, method);
    const playlist = (await rawRequest(port, get('/hls/cam/src/media.m3u8'))).toString('latin1');
    const segment = /^(seg-[a-z0-9]+-\d+\.m4s)$/m.exec(playlist)?.[1];
    assert.ok(segment, `a segment in the playlist:\n${playlist}`);
    const asks = [
      get(`/hls/cam/src/${segment}`), get(`/hls/cam/src/${segment}`, '', 'HEAD'), get(`/hls/cam/src/${segment}`, 'Range: bytes=10-99\r\n'),
      get(`/hls/cam/src/${segment}`, 'Origin: https://player.example\r\n'), get('/hls/cam/src/seg-zz-1.m4s'), get('/hls/nosuch/index.m3u8'),
    ];
    for (const ask of asks) {
      // Four fresh connections each: two per worker, one answered by the owner's packager, one forwarded to it.
      const answers = await Promise.all([1, 2, 3, 4].map(() => rawRequest(port, ask)));
      const texts = answers.map((a) => a.toString('latin1').replace(/\r\nDate: [^\r]*\r\n/, '\r\nDate: -\r\n'));
      assert.match(texts[0]!, /\r\nDate: -\r\nConnection: keep-alive\r\nKeep-Alive: timeout=\d+\r\n\r\n/, 'the front\'s own connection headers, last');
      for (const t of texts.slice(1)) assert.equal(t, texts[0], `the same answer on either worker to ${ask.split('\r\n')[0]}`);
    }
    // LL-HLS blocking reloads, held on the owner while the part is not out yet (a forwarded one held across the hop).
    const segments = [...playlist.matchAll(/^seg-([a-z0-9]+)-(\d+)\.m4s$/gm)];
    const [, inst, last] = segments[segments.length - 1]!;
    const ahead = Number(last) + 2;
    const held = await Promise.all([1, 2, 3, 4].map(() => rawRequest(port, get(`/hls/cam/src/media.m3u8?_HLS_msn=${ahead}&_HLS_part=0`))));
    for (const h of held) {
      const text = h.toString('latin1');
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/, text.slice(0, 300));
      assert.ok(text.includes(`part-${inst}-${ahead}-0.m4s`), `the awaited part listed:\n${text}`);
    }
    const after = await leanCounts();
    const owner = lines().find((l) => l.msg === 'publish started')!.worker!;
    for (const [worker, n] of after) {
      const was = before.get(worker)!;
      assert.ok(n.public > was.public, `worker ${worker}: its viewers' requests were read by the lean front (${was.public} -> ${n.public})`);
      if (worker === owner) assert.ok(n.internal > was.internal, `the owner read the forwarded requests on its lean front too (${was.internal} -> ${n.internal})`);
      else assert.equal(n.internal, was.internal, 'nothing forwarded to the worker that does not own the stream');
    }
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
