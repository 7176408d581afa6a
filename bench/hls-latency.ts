/**
 * HLS benchmark: glass-to-glass latency in hls.js (LL-HLS and standard mode) and server CPU per ingested
 * stream with HLS packaging on, against nginx-rtmp `hls on` in the same run (BENCHMARKING.md).
 *
 *   npx tsx bench/hls-latency.ts [--seconds 20] [--cpu-warmup 240] [--cpu-runs 3] [--streams 1] [--latency 1]
 *
 * Latency: the page samples `hls.latency` (edge - currentTime) and `Date.now() - hls.playingDate` (wall
 * clock at ingest via EXT-X-PROGRAM-DATE-TIME + currentTime, i.e. ingest-to-screen on loopback) every
 * 250 ms after a 5 s warm-up. CPU: OnAir as it ships (LL-HLS), OnAir in standard mode (segments only, like
 * nginx-rtmp's HLS) and nginx-rtmp `hls on`, all pinned to CPU 0 and ingesting at the same time, ffmpeg
 * publishing the reference clip (720p30 ~2.7 Mb/s) to each from CPU 1, no players; the CPU time of each
 * (cpuSeconds: its threads' run time) over the same `--cpu-runs` windows of `--seconds` after warm-up, and the
 * ratios to nginx-rtmp per window; with `--streams N` each server ingests N copies at once and the figures are
 * per stream (a server hosts many). Same windows, because this machine drifts by 20-40 % between windows, more
 * than the difference being measured; each server uses well under 1 % of the core per stream, so sharing it
 * costs none of them anything measurable. `--latency 0` skips the browser part, `--cpu-runs 0` the CPU part.
 *
 * A/B (`--ab-rounds N`): the LL-HLS latency run only, N rounds of setting A then setting B (order swapped every other
 * round, so drift of the shared machine falls on both), each a fresh server, publisher and player on the same clip;
 * prints every run and, per setting, the median and range of the runs' g2g p50 and their times to first frame (from opening the
 * page, read every 50 ms until the first frame). Defaults: A = `--no-hls-fit-part-target
 * --no-hls-viewer-reads-at-once` (PART-TARGET 0.23 s, hold-back 0.69 s, merged reads of up to half a part: before
 * issue 17's latency work), B = as shipped; `--ab-a '<flags>'` /
 * `--ab-b '<flags>'` compare other server flags (space-separated), e.g. `--ab-a '--merged-read-max-ms 0'`;
 * latency mode `lowest` against `low` as shipped: `--ab-a '' --ab-b '--latency-mode lowest'` (the later --latency-mode wins);
 * `--ab-a-gop S` / `--ab-b-gop S` publish a copy of the clip with an S-second keyframe interval on that side (default 2);
 * `--ab-port P`: the runs use RTMP ports P, P+4, ... (HTTP one above; default 20000); `--ab-join-spread 1`: round r of R
 * opens the player r/R of a GOP after the stream is first offered (see AB_JOIN_SPREAD).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuShares } from './lib/proc-stats.js';
import { buildOnAir, nginxRtmpAvailable, startNginxHls, startOnAir, type BenchServer } from './lib/servers.js';
import { launchHlsBrowser } from '../support/hls-browser.js';

const root = resolve(import.meta.dirname, '..');
const SECONDS = numberArg('seconds', 20);
const WARMUP_MS = 5_000;
/**
 * The CPU window starts after this much publishing, because a server runs for hours and its first minutes cost
 * more: V8 optimizes the ingest path as it runs (2.4 % of a core in the first 20 s, 1.4 % after 80 s, before
 * merged reads), and with merged reads (~10 reads a second) one stream's CPU kept falling for about four
 * minutes (30 s windows from the start, next to nginx-rtmp: 3.10, 1.27, 1.23, 1.09, 0.88, 1.01, 0.88, 1.06,
 * then 0.77, 0.85, 0.82, 0.75x).
 */
const CPU_WARMUP_MS = numberArg('cpu-warmup', 240) * 1000;
const CPU_RUNS = numberArg('cpu-runs', 3);
/** Streams ingested by each server at once: per-stream CPU is the server's CPU divided by this. */
const STREAMS = numberArg('streams', 1);
const LATENCY = numberArg('latency', 1) !== 0;
const AB_ROUNDS = numberArg('ab-rounds', 0);
const AB_A = flagsArg('ab-a', '--no-hls-fit-part-target --no-hls-viewer-reads-at-once');
const AB_B = flagsArg('ab-b', '');
/** The publisher's keyframe interval per side (s): what the encoder's GOP does to LL-HLS start-up and latency. */
const AB_A_GOP = numberArg('ab-a-gop', 2);
const AB_B_GOP = numberArg('ab-b-gop', 2);
/**
 * `--ab-join-spread 1`: round r of R opens the player r/R of a GOP later than the stream is first offered (both sides of
 * a round alike). Without it every run joins just after the same keyframe (the playlist is offered at a segment's
 * first part), so hls.js's start point falls at the same place in the GOP each time, either just after that keyframe
 * or just before it (then Chromium decodes most of a GOP before the first frame): a few tenths of a second either way
 * for the same setting. Viewers join at any point of the GOP; spread joins sample that.
 */
const AB_JOIN_SPREAD = numberArg('ab-join-spread', 0) !== 0;
/** First RTMP port of the A/B runs (each run takes the next 4): several benches on one machine need their own ranges. */
const AB_PORT = numberArg('ab-port', 20_000);
const work = mkdtempSync(join(tmpdir(), 'onair-hls-bench-'));

/** `--name '<flags>'`: server flags, space-separated. */
function flagsArg(name: string, def: string): string[] {
  const i = process.argv.indexOf(`--${name}`);
  return (i > 0 ? process.argv[i + 1] ?? '' : def).split(' ').filter((x) => x !== '');
}

interface LatencyRun {
  g2gP50: number;
  latencyP50: number;
  /** ms from opening the page to the first frame (currentTime > 0), read every 50 ms until then; NaN = none. */
  firstFrameMs: number;
}

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

async function latency(mode: 'low' | 'standard', clip: string, port: number, extra: readonly string[] = [], label: string = mode, joinDelayMs = 0): Promise<LatencyRun> {
  // A fixed port can be taken meanwhile by another program's socket (it is in the ephemeral range): one retry elsewhere.
  const opts = { args: ['--latency-mode', mode, ...extra] };
  const server = await startOnAir(0, port, work, opts).catch(async (err: unknown) => {
    console.log(`port ${port}: ${(err as Error).message}; retrying on ${port + 200}`);
    port += 200;
    return startOnAir(0, port, work, opts);
  });
  const pub = publish(`rtmp://127.0.0.1:${port}/live/bench`, clip);
  const browser = await launchHlsBrowser();
  try {
    const master = `http://127.0.0.1:${port + 1}/hls/bench/index.m3u8`;
    await waitHttp(master);
    await sleep(joinDelayMs);
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
      await sleep(first === undefined ? 50 : 250);
    }
    const f = (x: number): string => x.toFixed(2);
    console.log(`${label.padEnd(8)} ${joinDelayMs ? `joined +${joinDelayMs} ms ` : ''}hls.latency p50 ${f(pct(hlsLat, 50))} s p95 ${f(pct(hlsLat, 95))} s | ingest-to-screen (PDT) p50 ${f(pct(g2g, 50))} s p95 ${f(pct(g2g, 95))} s | first frame ${first ?? '-'} ms after page load | n=${g2g.length}`);
    return { g2gP50: pct(g2g, 50), latencyP50: pct(hlsLat, 50), firstFrameMs: first ?? NaN };
  } finally {
    await browser.close();
    await stopChild(pub);
    await server.stop();
  }
}

/** OnAir as it ships (LL-HLS), and in standard mode: segments without parts, like nginx-rtmp's HLS. */
const ONAIR_VARIANTS = [
  { name: 'onair (LL-HLS)', args: [] },
  { name: 'onair (standard HLS)', args: ['--latency-mode', 'standard'] },
  // What a stream costs while LL-HLS viewers watch it (--hls-viewer-reads-at-once: its publisher read at once).
  { name: 'onair (LL-HLS, read at once)', args: ['--merged-read-max-ms', '0'] },
] as const;

/** All servers ingesting at once, CPU of each over the same windows, the ratios per window and their medians. */
async function cpuSideBySide(clip: string): Promise<void> {
  const onairPorts = ONAIR_VARIANTS.map((_, v) => 19370 + 100 * v);
  const servers: BenchServer[] = [];
  for (const [v, variant] of ONAIR_VARIANTS.entries()) servers.push(await startOnAir(0, onairPorts[v]!, work, variant));
  if (nginxRtmpAvailable()) servers.push(await startNginxHls(0, 19380, work));
  else console.log('nginx-rtmp not installed (apt-get install nginx libnginx-mod-rtmp): OnAir alone, no ratio');
  const pubs = servers.flatMap((s) => Array.from({ length: STREAMS }, (_, i) => publish(s.rtmpUrl(`cpu${i}`), clip)));
  try {
    for (let i = 0; i < STREAMS; i++) {
      for (const port of onairPorts) await waitHttp(`http://127.0.0.1:${port + 1}/hls/cpu${i}/index.m3u8`);
    }
    await sleep(CPU_WARMUP_MS);
    const runs = servers.map(() => [] as number[]);
    const ratios: number[][] = [];
    for (let w = 0; w < CPU_RUNS; w++) {
      const shares = (await cpuShares(servers.map((s) => s.pid), SECONDS)).map((x) => x / STREAMS);
      shares.forEach((x, i) => runs[i]!.push(x));
      const nginx = shares[ONAIR_VARIANTS.length];
      if (nginx !== undefined) ratios.push(shares.slice(0, ONAIR_VARIANTS.length).map((x) => x / nginx));
      console.log(`window ${w + 1}: ${servers.map((s, i) => `${s.name} ${(shares[i]! * 100).toFixed(2)} %`).join('  ')}${nginx !== undefined ? `  ratios ${ratios[w]!.map((r) => `${r.toFixed(2)}x`).join(' ')}` : ''}`);
    }
    servers.forEach((s, i) => console.log(`${s.name.padEnd(22)} median ${(median(runs[i]!) * 100).toFixed(2)} % of one core per ingested stream with HLS on (${STREAMS} at once)`));
    for (let v = 0; v < ONAIR_VARIANTS.length && ratios.length; v++) {
      console.log(`CPU ratio ${servers[v]!.name} / nginx-rtmp (median of ${ratios.length} same-window ratios): ${median(ratios.map((r) => r[v]!)).toFixed(2)}x`);
    }
  } finally {
    for (const p of pubs) await stopChild(p);
    for (const s of servers) await s.stop();
  }
}

/** Interleaved A/B of two server settings on the LL-HLS latency run (see the header). */
async function abLatency(): Promise<void> {
  const media = join(root, 'bench/out/media');
  const sides = [
    { name: 'A', flags: AB_A, clip: referenceClip(media, AB_A_GOP), gop: AB_A_GOP, runs: [] as LatencyRun[] },
    { name: 'B', flags: AB_B, clip: referenceClip(media, AB_B_GOP), gop: AB_B_GOP, runs: [] as LatencyRun[] },
  ];
  console.log(`A/B, ${AB_ROUNDS} rounds: A = [${AB_A.join(' ')}] GOP ${AB_A_GOP} s, B = [${AB_B.join(' ')}] GOP ${AB_B_GOP} s${AB_JOIN_SPREAD ? ', joins spread over the GOP' : ''}`);
  let run = 0;
  for (let r = 0; r < AB_ROUNDS; r++) {
    const joinDelayMs = AB_JOIN_SPREAD ? Math.round((r / AB_ROUNDS) * Math.min(AB_A_GOP, AB_B_GOP) * 1000) : 0;
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      // A fresh port pair per run: the previous server may still hold its port for a moment after stopping.
      side.runs.push(await latency('low', side.clip, AB_PORT + 4 * run++, side.flags, `${side.name}${r + 1}`, joinDelayMs));
    }
  }
  const f = (x: number): string => x.toFixed(2);
  for (const side of sides) {
    const g = side.runs.map((x) => x.g2gP50);
    const l = side.runs.map((x) => x.latencyP50);
    const ff = side.runs.map((x) => x.firstFrameMs);
    console.log(`${side.name} [${side.flags.join(' ') || 'as shipped'}, GOP ${side.gop} s]: g2g p50 median ${f(median(g))} s (runs ${g.map(f).join(', ')}; range ${f(Math.min(...g))}-${f(Math.max(...g))}) | hls.latency p50 median ${f(median(l))} s | first frame median ${median(ff)} ms (runs ${ff.join(', ')})`);
  }
  const [a, b] = sides.map((s) => median(s.runs.map((x) => x.g2gP50)));
  console.log(`B - A (medians of g2g p50): ${f(b! - a!)} s`);
}

async function main(): Promise<void> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  console.log(`HLS bench: ${SECONDS} s windows; latency after ${WARMUP_MS / 1000} s of playback, CPU after ${CPU_WARMUP_MS / 1000} s of ingest; clip ${clip}`);
  if (AB_ROUNDS > 0) return abLatency();
  if (LATENCY) {
    await latency('low', clip, 19350);
    // What merged reads cost in latency: the same player with every arrival read at once.
    await latency('low', clip, 19340, ['--merged-read-max-ms', '0'], 'low, merged reads off');
    await latency('standard', clip, 19360);
  }
  if (CPU_RUNS > 0) await cpuSideBySide(clip);
}

runBench(main, work);
