/**
 * HLS benchmark: glass-to-glass latency in hls.js (LL-HLS and standard mode) and server CPU per ingested
 * stream with HLS packaging on, against nginx-rtmp `hls on` in the same run (BENCHMARKING.md).
 *
 *   npx tsx bench/hls-latency.ts [--seconds 20] [--cpu-warmup 60] [--cpu-runs 3] [--latency 1]
 *
 * Latency: the page samples `hls.latency` (edge - currentTime) and `Date.now() - hls.playingDate` (wall
 * clock at ingest via EXT-X-PROGRAM-DATE-TIME + currentTime, i.e. ingest-to-screen on loopback) every
 * 250 ms after a 5 s warm-up. CPU: server pinned to CPU 0, ffmpeg publishing the reference clip (720p30
 * ~2.7 Mb/s) on CPU 1, no players; utime + stime over a steady window after warm-up. OnAir and nginx-rtmp
 * alternate for `--cpu-runs` runs each and the medians are compared (single runs drift by 20-40 % here).
 * `--latency 0` skips the browser part.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuSeconds } from './lib/proc-stats.js';
import { buildOnAir, nginxRtmpAvailable, nginxRtmpCommand, waitPort } from './lib/servers.js';
import { launchHlsBrowser } from '../test/hls/support/hls-browser.js';

const root = resolve(import.meta.dirname, '..');
const SECONDS = numberArg('seconds', 20);
const WARMUP_MS = 5_000;
/**
 * The CPU window starts after this much publishing: at ~100 messages/s V8 takes about a minute to optimize
 * the ingest path (measured: 2.4 % of a core in the first 20 s, 1.4 % after 80 s), and a server runs for hours.
 */
const CPU_WARMUP_MS = numberArg('cpu-warmup', 60) * 1000;
const CPU_RUNS = numberArg('cpu-runs', 3);
const LATENCY = numberArg('latency', 1) !== 0;
const work = mkdtempSync(join(tmpdir(), 'onair-hls-bench-'));

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.ok) return;
    await sleep(100);
  }
  throw new Error(`${url} never answered 200`);
}

function onair(port: number, mode: 'low' | 'standard'): ChildProcess {
  const data = join(work, `data-${port}`);
  mkdirSync(data, { recursive: true });
  return startChild('taskset', ['-c', '0', process.execPath, join(root, 'dist/main.js'), '--auth', 'open', '--host', '127.0.0.1',
    '--rtmp-port', String(port), '--http-port', String(port + 1), '--data-dir', data, '--log-level', 'warn', '--latency-mode', mode]);
}

function publish(url: string, clip: string): ChildProcess {
  return startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimePublishArgs(clip, url)]);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function latency(mode: 'low' | 'standard', clip: string, port: number): Promise<void> {
  const server = onair(port, mode);
  await waitPort(port);
  const pub = publish(`rtmp://127.0.0.1:${port}/live/bench`, clip);
  const browser = await launchHlsBrowser();
  try {
    const master = `http://127.0.0.1:${port + 1}/hls/bench/index.m3u8`;
    await waitHttp(master);
    const page = await browser.open(master, mode === 'low');
    const t0 = Date.now();
    const hlsLat: number[] = [];
    const g2g: number[] = [];
    let first: number | undefined;
    while (Date.now() - t0 < WARMUP_MS + SECONDS * 1000) {
      const s = await browser.state(page);
      if (s.fatal.length) throw new Error(`hls.js fatal: ${s.fatal.join(',')}`);
      if (first === undefined && s.currentTime > 0) first = Date.now() - t0;
      if (Date.now() - t0 > WARMUP_MS && s.currentTime > 0 && s.playingDate) {
        hlsLat.push(s.latency);
        g2g.push((s.now - s.playingDate) / 1000);
      }
      await sleep(250);
    }
    const f = (x: number): string => x.toFixed(2);
    console.log(`${mode.padEnd(8)} hls.latency p50 ${f(pct(hlsLat, 50))} s p95 ${f(pct(hlsLat, 95))} s | ingest-to-screen (PDT) p50 ${f(pct(g2g, 50))} s p95 ${f(pct(g2g, 95))} s | first frame ${first ?? '-'} ms after page load | n=${g2g.length}`);
  } finally {
    await browser.close();
    await stopChild(pub);
    await stopChild(server);
  }
}

async function cpuRun(name: string, server: ChildProcess, port: number, clip: string, ready: () => Promise<void>): Promise<number> {
  await waitPort(port);
  const pub = publish(`rtmp://127.0.0.1:${port}/live/cpu`, clip);
  try {
    await ready();
    await sleep(CPU_WARMUP_MS);
    const c0 = cpuSeconds(server.pid!);
    const t0 = Date.now();
    await sleep(SECONDS * 1000);
    const used = cpuSeconds(server.pid!) - c0;
    const perSec = used / ((Date.now() - t0) / 1000);
    console.log(`${name.padEnd(22)} ${(perSec * 100).toFixed(2)} % of one core for one ingested stream with HLS on`);
    return perSec;
  } finally {
    await stopChild(pub);
    await stopChild(server);
  }
}

function nginxHls(port: number): ChildProcess {
  const dir = join(work, `nginx-${port}`);
  mkdirSync(join(dir, 'hls'), { recursive: true });
  const { cmd, args } = nginxRtmpCommand(dir, port, 0, `live on; hls on; hls_path ${dir}/hls; hls_fragment 2s; hls_playlist_length 12s;`);
  return startChild(cmd, args);
}

async function main(): Promise<void> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  console.log(`HLS bench: ${SECONDS} s windows after ${WARMUP_MS / 1000} s warm-up; clip ${clip}`);
  if (LATENCY) {
    await latency('low', clip, 19350);
    await latency('standard', clip, 19360);
  }
  const onairRuns: number[] = [];
  const nginxRuns: number[] = [];
  for (let run = 0; run < CPU_RUNS; run++) {
    const port = 19370 + run * 20;
    onairRuns.push(await cpuRun('onair (LL-HLS, fMP4)', onair(port, 'low'), port, clip, async () => {
      await waitHttp(`http://127.0.0.1:${port + 1}/hls/cpu/index.m3u8`);
    }));
    if (nginxRtmpAvailable()) nginxRuns.push(await cpuRun('nginx-rtmp (hls on, TS)', nginxHls(port + 10), port + 10, clip, () => sleep(2000)));
  }
  const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
  console.log(`onair runs: ${onairRuns.map(pct).join(', ')}; median ${pct(median(onairRuns))}`);
  if (nginxRuns.length) {
    console.log(`nginx-rtmp runs: ${nginxRuns.map(pct).join(', ')}; median ${pct(median(nginxRuns))}`);
    console.log(`CPU ratio onair / nginx-rtmp (medians): ${(median(onairRuns) / median(nginxRuns)).toFixed(2)}x`);
  } else {
    console.log('nginx-rtmp not installed: no CPU comparison');
  }
}

runBench(main, work);
