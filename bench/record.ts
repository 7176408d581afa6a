/**
 * What recording costs per stream: OnAir without and with `settings.record`, and nginx-rtmp without and with
 * `record all`, ingesting the reference stream (720p30 2.5 Mb/s + AAC, ~2.7 Mb/s) at the same time: every
 * server on CPU 0, one real-time ffmpeg publisher per stream on CPU 1, CPU (thread run time) and write
 * counters (/proc/<pid>/io) read over the same windows, so the machine's drift is shared by all.
 *
 *   npx tsx bench/record.ts [--streams 3] [--windows 3] [--seconds 30] [--warmup 30] [--hls off|on]
 *
 * OnAir runs with `--hls off` by default (nginx-rtmp's `record` does no HLS either), `--auth keys` and
 * API streams, so both OnAir servers ingest through the same path and differ only in recording. Written
 * bytes: wchar (bytes handed to write calls, what reaches the page cache) and write_bytes (what the kernel
 * sent to the disk in the window, writeback included, so it lags). Without nginx-rtmp installed
 * (Debian `nginx` + `libnginx-mod-rtmp`) only OnAir is measured.
 */
import { mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuSeconds, procIo, type ProcIo } from './lib/proc-stats.js';
import { type BenchServer, buildOnAir, nginxRtmpAvailable, nginxRtmpCommand, startOnAir, waitPort } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'onair-bench-record-'));
const TOKEN = 'bench-record-admin-token-0123456789';
const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '3' },
    windows: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '30' },
    hls: { type: 'string', default: 'off' },
  },
});
const streams = Number(args.streams);

interface Measured extends BenchServer {
  /** Publish URLs, one per stream. */
  readonly urls: string[];
  /** Files the server recorded into (for the check that it kept up). */
  readonly recordDir?: string;
}

/** OnAir with N API streams (record on or off); the publish URLs carry their keys. */
async function onair(name: string, port: number, record: boolean): Promise<Measured> {
  const server = await startOnAir(0, port, work, { name, args: ['--auth', 'keys', '--api-token', TOKEN, '--hls', args.hls!], startTimeoutMs: 180_000 });
  await waitPort(port + 1, 60_000); // the HTTP listener opens after RTMP's
  const urls: string[] = [];
  for (let i = 0; i < streams; i++) {
    const res = await fetch(`http://127.0.0.1:${port + 1}/api/v1/streams`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { record, reconnectWindowSec: 0 } }),
    });
    const s = await res.json() as { streamKey: string };
    urls.push(`rtmp://127.0.0.1:${port}/live/${s.streamKey}`);
  }
  return { ...server, urls, ...(record ? { recordDir: join(work, `onair-data-${port}`, 'recordings') } : {}) };
}

async function nginx(name: string, port: number, record: boolean): Promise<Measured> {
  const dir = join(work, `nginx-${port}`);
  const recordDir = join(dir, 'rec');
  mkdirSync(recordDir, { recursive: true });
  // record all: audio, video and metadata into one FLV per stream (nginx-rtmp's DVR).
  const { cmd, args: a } = nginxRtmpCommand(dir, port, 0, `live on; ${record ? `record all; record_path ${recordDir};` : ''}`);
  const child = startChild(cmd, a);
  await waitPort(port);
  return {
    name, pid: child.pid!, rtmpUrl: (s) => `rtmp://127.0.0.1:${port}/live/${s}`, stop: () => stopChild(child, 6000),
    urls: Array.from({ length: streams }, (_, i) => `rtmp://127.0.0.1:${port}/live/s${i}`), ...(record ? { recordDir } : {}),
  };
}

function bytesUnder(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

async function main(): Promise<void> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  // One at a time: each start takes seconds of the shared core.
  const servers: Measured[] = [await onair('onair', 23600, false), await onair('onair-record', 23610, true)];
  if (nginxRtmpAvailable()) servers.push(await nginx('nginx', 23620, false), await nginx('nginx-record', 23630, true));
  else console.log('nginx-rtmp not installed: OnAir only (apt-get install nginx libnginx-mod-rtmp)');
  const publishers = servers.flatMap((s) => s.urls.map((u) => startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimePublishArgs(clip, u)])));
  try {
    console.log(`${servers.length} servers x ${streams} streams of ~2.7 Mb/s (OnAir --hls ${args.hls}); ${args.warmup} s warm-up, ${args.windows} windows of ${args.seconds} s`);
    await sleep(Number(args.warmup) * 1000);
    const windows = Number(args.windows);
    const sum = servers.map(() => ({ cpu: 0, wchar: 0, writeBytes: 0, syscw: 0 }));
    const recordedBefore = servers.map((s) => (s.recordDir ? bytesUnder(s.recordDir) : 0));
    const t0 = Date.now();
    for (let w = 0; w < windows; w++) {
      const cpu0 = servers.map((s) => cpuSeconds(s.pid));
      const io0: ProcIo[] = servers.map((s) => procIo(s.pid));
      const start = Date.now();
      await sleep(Number(args.seconds) * 1000);
      const sec = (Date.now() - start) / 1000;
      const line: string[] = [];
      servers.forEach((s, i) => {
        const io = procIo(s.pid);
        const m = {
          cpu: (100 * (cpuSeconds(s.pid) - cpu0[i]!)) / sec, wchar: (io.wchar - io0[i]!.wchar) / sec,
          writeBytes: (io.writeBytes - io0[i]!.writeBytes) / sec, syscw: (io.syscw - io0[i]!.syscw) / sec,
        };
        for (const k of ['cpu', 'wchar', 'writeBytes', 'syscw'] as const) sum[i]![k] += m[k] / windows;
        line.push(`${s.name} ${m.cpu.toFixed(2)} %`);
      });
      console.log(`window ${w + 1}: ${line.join('  ')}`);
    }
    const elapsed = (Date.now() - t0) / 1000;
    console.log('\nper stream (mean of the windows):');
    console.log('server          % core   written KB/s (write calls)   to disk KB/s   write calls/s   recorded KB/s');
    servers.forEach((s, i) => {
      const m = sum[i]!;
      const recorded = s.recordDir ? (bytesUnder(s.recordDir) - recordedBefore[i]!) / elapsed / streams / 1024 : 0;
      console.log(`${s.name.padEnd(15)} ${(m.cpu / streams).toFixed(3).padStart(6)}   ${(m.wchar / streams / 1024).toFixed(1).padStart(28)}   ${(m.writeBytes / streams / 1024).toFixed(1).padStart(12)}   ${(m.syscw / streams).toFixed(1).padStart(13)}   ${recorded ? recorded.toFixed(1).padStart(13) : '            -'}`);
    });
    const cpu = (n: string): number | undefined => {
      const i = servers.findIndex((s) => s.name === n);
      return i < 0 ? undefined : sum[i]!.cpu / streams;
    };
    const [on, onRec, ng, ngRec] = [cpu('onair'), cpu('onair-record'), cpu('nginx'), cpu('nginx-record')];
    console.log(`\nOnAir: recording costs ${(onRec! - on!).toFixed(3)} % of a core per stream (record / no record ${(onRec! / on!).toFixed(2)}x)`);
    if (ng !== undefined && ngRec !== undefined) {
      console.log(`nginx-rtmp: record all costs ${(ngRec - ng).toFixed(3)} % of a core per stream (${(ngRec / ng).toFixed(2)}x)`);
      console.log(`OnAir recording / nginx-rtmp recording, whole server: ${(onRec! / ngRec).toFixed(2)}x; the recording's own share: ${((onRec! - on!) / Math.max(1e-9, ngRec - ng)).toFixed(2)}x`);
    }
    console.log('(a shared 2-core machine: CPU figures are indicative; compare ratios from the same run)');
  } finally {
    for (const p of publishers) await stopChild(p);
    for (const s of servers) await s.stop();
  }
}

runBench(main, work);
