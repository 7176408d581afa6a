/**
 * HLS benchmark: glass-to-glass latency in hls.js (LL-HLS and standard mode) and server CPU per ingested
 * stream with HLS packaging on, against nginx-rtmp `hls on` in the same run (BENCHMARKING.md).
 *
 *   npx tsx bench/hls-latency.ts [--seconds 20] [--cpu-warmup 60] [--cpu-runs 3] [--streams 1] [--latency 1]
 *
 * Latency: the page samples `hls.latency` (edge - currentTime) and `Date.now() - hls.playingDate` (wall
 * clock at ingest via EXT-X-PROGRAM-DATE-TIME + currentTime, i.e. ingest-to-screen on loopback) every
 * 250 ms after a 5 s warm-up. CPU: OnAir and nginx-rtmp both pinned to CPU 0 and ingesting at the same time,
 * ffmpeg publishing the reference clip (720p30 ~2.7 Mb/s) to each from CPU 1, no players; utime + stime of each
 * over the same `--cpu-runs` windows of `--seconds` after warm-up, and the ratio per window; with `--streams N`
 * each server ingests N copies at once and the figures are per stream (a server hosts many). Same windows,
 * because this machine drifts by 20-40 % between windows, more than the difference being measured; each server
 * uses about 1 % of the core per stream, so sharing it costs neither anything measurable. `--latency 0` skips
 * the browser part.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuShares } from './lib/proc-stats.js';
import { buildOnAir, nginxRtmpAvailable, startNginxHls, startOnAir, type BenchServer } from './lib/servers.js';
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
/** Streams ingested by each server at once: per-stream CPU is the server's CPU divided by this. */
const STREAMS = numberArg('streams', 1);
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

function publish(url: string, clip: string): ChildProcess {
  return startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimePublishArgs(clip, url)]);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function latency(mode: 'low' | 'standard', clip: string, port: number): Promise<void> {
  const server = await startOnAir(0, port, work, { args: ['--latency-mode', mode] });
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
    await server.stop();
  }
}

/** Both servers ingesting at once, CPU of each over the same windows, the ratio per window and their median. */
async function cpuSideBySide(clip: string): Promise<void> {
  const onairPort = 19370;
  const servers: BenchServer[] = [await startOnAir(0, onairPort, work, { name: 'onair (LL-HLS, fMP4)' })];
  if (nginxRtmpAvailable()) servers.push(await startNginxHls(0, 19380, work));
  else console.log('nginx-rtmp not installed (apt-get install nginx libnginx-mod-rtmp): OnAir alone, no ratio');
  const pubs = servers.flatMap((s) => Array.from({ length: STREAMS }, (_, i) => publish(s.rtmpUrl(`cpu${i}`), clip)));
  try {
    for (let i = 0; i < STREAMS; i++) await waitHttp(`http://127.0.0.1:${onairPort + 1}/hls/cpu${i}/index.m3u8`);
    await sleep(CPU_WARMUP_MS);
    const runs = servers.map(() => [] as number[]);
    const ratios: number[] = [];
    for (let w = 0; w < CPU_RUNS; w++) {
      const shares = (await cpuShares(servers.map((s) => s.pid), SECONDS)).map((x) => x / STREAMS);
      shares.forEach((x, i) => runs[i]!.push(x));
      if (shares.length > 1) ratios.push(shares[0]! / shares[1]!);
      console.log(`window ${w + 1}: ${servers.map((s, i) => `${s.name} ${(shares[i]! * 100).toFixed(2)} %`).join('  ')}${shares.length > 1 ? `  ratio ${ratios[w]!.toFixed(2)}x` : ''}`);
    }
    servers.forEach((s, i) => console.log(`${s.name.padEnd(22)} median ${(median(runs[i]!) * 100).toFixed(2)} % of one core per ingested stream with HLS on (${STREAMS} at once)`));
    if (ratios.length) console.log(`CPU ratio onair / nginx-rtmp (median of ${ratios.length} same-window ratios): ${median(ratios).toFixed(2)}x`);
  } finally {
    for (const p of pubs) await stopChild(p);
    for (const s of servers) await s.stop();
  }
}

async function main(): Promise<void> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  console.log(`HLS bench: ${SECONDS} s windows; latency after ${WARMUP_MS / 1000} s of playback, CPU after ${CPU_WARMUP_MS / 1000} s of ingest; clip ${clip}`);
  if (LATENCY) {
    await latency('low', clip, 19350);
    await latency('standard', clip, 19360);
  }
  await cpuSideBySide(clip);
}

runBench(main, work);
