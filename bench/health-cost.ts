/**
 * What ingest health monitoring costs (issue 18's budget: <= 2 % of the server's CPU with 10 live streams).
 *
 *   npx tsx bench/health-cost.ts [--streams 10] [--rounds 5] [--windows 2] [--seconds 20] [--cpu-warmup 30]
 *                                [--seed 1] [--scrape 0] [--control 1] [--copies 1] [--micro 1] [--pipeline 0]
 *
 * Server: OnAir builds from dist/, one as it ships (health on), one with `--health off` and a second `--health off`
 * as a control (two identical servers: control/off is what the bench reads when there is nothing to find), all
 * pinned to CPU 0. `--streams` ffmpeg processes on CPU 1 each publish the reference clip (720p30 H.264 2.5 Mb/s +
 * AAC, ~2.7 Mb/s) in real time to every server at once through ffmpeg's tee muxer, so the servers get the same
 * bytes at the same moments; HLS on, no players, /metrics scraped every `--scrape` s on all of them (0: never).
 * CPU is each server's run time in nanoseconds (the sum of its threads' /proc/<pid>/task/<tid>/schedstat), read over
 * the same `--windows` windows of `--seconds` for all servers after `--cpu-warmup` s: the servers run side by side, so
 * load and drift on the machine hit all of them in the same window. `--rounds` rounds restart the servers, with the
 * roles put in a random order over the positions (ports, the order ffmpeg writes to them; seeded by
 * `--seed`, printed), so a server's place cancels out on average. `--copies K` runs K servers of each variant in every
 * round (3K on CPU 0, each fed the same streams, positions shuffled over all of them) and sums each variant's CPU, so a
 * round's value averages K instances: what differs between two identical instances for a whole round (heap layout,
 * JIT decisions, GC phase) shrinks by about sqrt(K), and with it the interval, at the same number of rounds.
 * Statistics: the unit is the round, not the window. Windows of one server instance are correlated (its heap layout,
 * JIT decisions and GC phase persist), and two identical instances differ by a few percent for a whole round: an
 * interval from resampled windows came out far too narrow (the off-vs-off control missed 1.0). So each round gives
 * one ratio of summed CPU (on/off, control/off, on/mean(off, control)) and one absolute difference (on minus off, in
 * percentage points of one core); the report is their geometric (resp. arithmetic) mean over rounds with a 95 %
 * Student t interval over rounds (needs >= 2 rounds; more rounds, narrower and honest). The control/off line is the
 * noise check: its interval should hold 1.00. Load average at each round's start and end.
 * Micro: bench/health-micro.ts after the servers stop (ns per packet and µs per evaluation round in-process), and
 * what that predicts as a share of the health-off server's measured CPU.
 * Pipeline: bench/ingest-pipeline.ts (RTMP session, FLV, hub, LL-HLS packager over the reference clip, as fast as it
 * goes) with and without health, `--pipeline` alternating pairs: CPU ms per second of media and heap bytes
 * allocated per message.
 * On a shared machine the absolute figures are indicative; the same-window ratios are what the bench is for.
 * At ~3 % of a core for 10 real-time streams a 2 % difference is under this bench's noise; bench/health-throughput.ts
 * measures the per-message part with the servers CPU-bound, where it can be resolved.
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { clipPacketsPerSecond, realtimeTeeArgs, referenceClip } from './lib/clip.js';
import { cpuShares } from './lib/proc-stats.js';
import { meanInterval, ratioInterval, shuffled, type RoundInterval } from './lib/round-interval.js';
import { seededRandom } from '../src/protocols/srt/testing/seeded-random.js';
import { buildOnAir, startOnAir, waitPort, type BenchServer } from './lib/servers.js';
import { healthMicro, healthMsPerSecond, printMicro } from './health-micro.js';
import { CTL, OFF, ON, healthInstances, healthVariants } from './lib/health-variants.js';

const root = resolve(import.meta.dirname, '..');
const STREAMS = numberArg('streams', 10);
const SECONDS = numberArg('seconds', 20);
const CPU_WARMUP_MS = numberArg('cpu-warmup', 30) * 1000;
const WINDOWS = numberArg('windows', 2);
const CONTROL = numberArg('control', 1) !== 0;
const ROUNDS = numberArg('rounds', 5);
const SEED = numberArg('seed', 1);
const SCRAPE_MS = numberArg('scrape', 0) * 1000;
const MICRO = numberArg('micro', 1) !== 0;
const PIPELINE_PAIRS = numberArg('pipeline', 0);
const BUDGET = 1.02;
const work = mkdtempSync(join(tmpdir(), 'onair-health-bench-'));

const VARIANTS = healthVariants(CONTROL);
const COPIES = numberArg('copies', 1);
/** Every server of a round: COPIES instances of each variant. */
const INSTANCES = healthInstances(VARIANTS, COPIES);

/** One window: CPU share of each variant (VARIANTS order), the mean over its copies. */
type Window = readonly number[];

const seconds = (since: number): string => ((performance.now() - since) / 1000).toFixed(1);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

async function publishers(ports: readonly number[]): Promise<number[]> {
  return Promise.all(ports.map(async (p) => {
    const text = await (await fetch(`http://127.0.0.1:${p + 1}/metrics`)).text();
    return Number(/^onair_publishers (\d+)/m.exec(text)?.[1] ?? NaN);
  }));
}

/** One round: the servers with the roles in a random order over the positions, `WINDOWS` windows after warm-up. */
async function serverRound(round: number, clip: string, random: () => number): Promise<Window[]> {
  const positions = shuffled(INSTANCES, random);
  const ports = positions.map((_, p) => 19470 + 100 * p);
  const servers: BenchServer[] = [];
  const pubs: ReturnType<typeof startChild>[] = [];
  let scraper: NodeJS.Timeout | undefined;
  const windows: Window[] = [];
  const began = performance.now();
  try {
    // Started and stopped together: a round's fixed overhead is time not measured.
    servers.push(...await Promise.all(positions.map((v, p) => startOnAir(0, ports[p]!, work, { name: v.label, args: v.args, startTimeoutMs: 180_000 }))));
    await Promise.all(ports.map((p) => waitPort(p + 1, 180_000)));
    const byInstance = INSTANCES.map((v) => servers[positions.indexOf(v)]!);
    for (let i = 0; i < STREAMS; i++) {
      pubs.push(startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimeTeeArgs(clip, servers.map((s) => s.rtmpUrl(`s${i}`)))]));
    }
    if (SCRAPE_MS > 0) {
      scraper = setInterval(() => {
        for (const p of ports) void fetch(`http://127.0.0.1:${p + 1}/metrics`).then((r) => r.text()).catch(() => {});
      }, SCRAPE_MS);
    }
    const loadStart = load();
    console.log(`round ${round + 1}/${ROUNDS}: positions ${positions.map((v, p) => `${ports[p]}=${v.label}`).join(', ')}; load average ${loadStart}; started in ${seconds(began)} s, warming up ${CPU_WARMUP_MS / 1000} s`);
    await sleep(CPU_WARMUP_MS);
    const live = await publishers(ports);
    if (live.some((n) => n !== STREAMS)) throw new Error(`round ${round + 1}: publishers per server ${live.join(', ')}, expected ${STREAMS} each`);
    for (let w = 0; w < WINDOWS; w++) {
      const each = await cpuShares(byInstance.map((s) => s.pid), SECONDS);
      // Per variant, the mean over its copies (INSTANCES lists copy by copy, variants in order within each).
      const shares = VARIANTS.map((_, v) => {
        let sum = 0;
        for (let i = v; i < each.length; i += VARIANTS.length) sum += each[i]!;
        return sum / COPIES;
      });
      windows.push(shares);
      console.log(`  window ${String(w + 1).padStart(2)}: ${VARIANTS.map((v, i) => `${v.name} ${(shares[i]! * 100).toFixed(3)} %`).join('  ')}  on/off ${(shares[ON]! / shares[OFF]!).toFixed(3)}x${CONTROL ? `  control/off ${(shares[CTL]! / shares[OFF]!).toFixed(3)}x` : ''}`);
    }
    const after = await publishers(ports);
    const ended = pubs.filter((c) => c.exitCode !== null || c.signalCode !== null).length;
    if (ended > 0 || after.some((n) => n !== STREAMS)) throw new Error(`round ${round + 1}: ${ended} publishers ended; publishers per server ${after.join(', ')}`);
    console.log(`round ${round + 1}: load average ${loadStart} at the start, ${load()} at the end`);
    return windows;
  } finally {
    clearInterval(scraper);
    const stopping = performance.now();
    await Promise.all(pubs.map((p) => stopChild(p)));
    await Promise.all(servers.map((s) => s.stop()));
    console.log(`round ${round + 1}: stopped in ${seconds(stopping)} s; the round took ${seconds(began)} s`);
  }
}

interface Comparison {
  readonly name: string;
  /** One window's ratio. */
  readonly ratio: (w: Window) => number;
  /** The numerator and denominator of one window, for the ratio of sums. */
  readonly parts: (w: Window) => [number, number];
}

const COMPARISONS: Comparison[] = [
  { name: 'health on / off', ratio: (w) => w[ON]! / w[OFF]!, parts: (w) => [w[ON]!, w[OFF]!] },
  ...(CONTROL ? [
    { name: 'control / off (noise)', ratio: (w: Window) => w[CTL]! / w[OFF]!, parts: (w: Window): [number, number] => [w[CTL]!, w[OFF]!] },
    { name: 'on / mean(off, control)', ratio: (w: Window) => (2 * w[ON]!) / (w[OFF]! + w[CTL]!), parts: (w: Window): [number, number] => [w[ON]!, (w[OFF]! + w[CTL]!) / 2] },
  ] : []),
];

function sumRatio(c: Comparison, ws: readonly Window[]): number {
  let a = 0;
  let b = 0;
  for (const w of ws) {
    const [x, y] = c.parts(w);
    a += x;
    b += y;
  }
  return a / b;
}

const pct = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(2)} %`;
/** A difference of CPU shares in percentage points of one core. */
const pp = (d: number): string => `${d >= 0 ? '+' : ''}${(d * 100).toFixed(3)} pp`;

/** The mean over windows of numerator minus denominator: the absolute difference in shares of one core. */
function meanDifference(c: Comparison, ws: readonly Window[]): number {
  let d = 0;
  for (const w of ws) {
    const [x, y] = c.parts(w);
    d += x - y;
  }
  return d / ws.length;
}

function verdict(i: RoundInterval, limit: number, show: (x: number) => string, unit: string): string {
  const range = `${show(i.low)} to ${show(i.high)}`;
  if (i.high <= limit) return `within ${unit}: the whole 95 % interval (${range}) lies below it`;
  if (i.low > limit) return `over ${unit}: the whole 95 % interval (${range}) lies above it`;
  return `not resolved at ${unit}: the 95 % interval runs from ${range}`;
}

function report(rounds: readonly (readonly Window[])[]): void {
  const all = rounds.flat();
  console.log(`\nserver CPU, ${STREAMS} streams per server${COPIES > 1 ? `, the mean of ${COPIES} servers of each variant` : ''}, ${rounds.length} rounds x ${WINDOWS} windows of ${SECONDS} s; one value per round, 95 % t interval over rounds:`);
  VARIANTS.forEach((v, i) => console.log(`  ${v.name.padEnd(14)} median ${(median(all.map((w) => w[i]!)) * 100).toFixed(3)} % of one core`));
  const intervals = COMPARISONS.map((c) => {
    const ratios = rounds.map((r) => sumRatio(c, r));
    const diffs = rounds.map((r) => meanDifference(c, r));
    const ratio = ratioInterval(ratios);
    const diff = meanInterval(diffs);
    console.log(`  ${c.name.padEnd(24)} ${ratio.mean.toFixed(4)}x (${pct(ratio.mean)}), 95 % CI ${ratio.low.toFixed(4)}-${ratio.high.toFixed(4)}x; per round ${ratios.map((r) => r.toFixed(4)).join(' ')}`);
    console.log(`  ${''.padEnd(24)} absolute ${pp(diff.mean)} of one core, 95 % CI ${pp(diff.low)} to ${pp(diff.high)}; per round ${diffs.map(pp).join(' ')}`);
    return { ratio, diff };
  });
  const onOff = intervals[0]!;
  console.log(`  => health's cost relative to the server's CPU (health on / off): ${verdict(onOff.ratio, BUDGET, (r) => pct(r), '+2 %')}`);
  // The issue's "<= 2 % difference" of server CPU read the other way: percentage points of one core.
  console.log(`  => health's cost in percentage points of one core (on minus off): ${verdict(onOff.diff, BUDGET - 1, pp, '+2 points')}`);
  if (CONTROL) {
    const noise = intervals[1]!.ratio;
    const ok = noise.low <= 1 && noise.high >= 1;
    console.log(`  => noise check: control/off (two identical servers) ${noise.mean.toFixed(4)}x, 95 % CI ${noise.low.toFixed(4)}-${noise.high.toFixed(4)}x ${ok
      ? 'holds 1.00, as it should (expect it to miss 1 in 20 runs by chance)'
      : 'misses 1.00: identical servers differed by more than the interval allows (1 run in 20 by chance; if it recurs, read the intervals as too narrow)'}`);
  }
}

async function serverCpu(): Promise<number> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  const packets = clipPacketsPerSecond(clip);
  if (ROUNDS < 2) throw new Error('--rounds must be at least 2: the interval is taken over rounds');
  if (COPIES < 1) throw new Error('--copies must be at least 1');
  console.log(`server: ${STREAMS} streams of the reference clip (${packets.toFixed(1)} packets a second each) teed to ${INSTANCES.length} servers (${COPIES} of each variant); seed ${SEED}; ${ROUNDS} rounds of ${CPU_WARMUP_MS / 1000} s warm-up + ${WINDOWS} windows of ${SECONDS} s; ${SCRAPE_MS > 0 ? `/metrics every ${SCRAPE_MS / 1000} s` : 'no /metrics scrapes'}`);
  const random = seededRandom(SEED);
  const rounds: Window[][] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await serverRound(r, clip, random));
  report(rounds);
  const offShare = median(rounds.flat().map((w) => w[OFF]!));
  console.log(`  health-off server: ${(offShare * 1000).toFixed(2)} ms CPU per second, ${((offShare * 1e6) / (STREAMS * packets)).toFixed(2)} us per packet received`);
  return offShare;
}

/** One ingest-pipeline run: CPU ms per second of media and heap bytes allocated per message. */
async function pipelineRun(health: boolean): Promise<{ cpuMs: number; bytes: number }> {
  const child = startChild(process.execPath, ['--import', 'tsx', join(root, 'bench/ingest-pipeline.ts'), '20', 'hls', ...(health ? ['health'] : [])], ['ignore', 'pipe', 'inherit']);
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  await new Promise((r) => child.once('exit', r));
  const cpu = /=> ([\d.]+) ms CPU per second of media/.exec(out);
  const heap = /JS heap allocated: (-?\d+) bytes per RTMP message/.exec(out);
  if (!cpu || !heap) throw new Error(`ingest-pipeline printed no figures: ${out}`);
  return { cpuMs: Number(cpu[1]), bytes: Number(heap[1]) };
}

async function pipeline(): Promise<void> {
  const on: number[] = [];
  const off: number[] = [];
  const ratios: number[] = [];
  const bytesOn: number[] = [];
  const bytesOff: number[] = [];
  for (let i = 0; i < PIPELINE_PAIRS; i++) {
    const a = await pipelineRun(true);
    const b = await pipelineRun(false);
    on.push(a.cpuMs);
    off.push(b.cpuMs);
    ratios.push(a.cpuMs / b.cpuMs);
    bytesOn.push(a.bytes);
    bytesOff.push(b.bytes);
  }
  const r = median(ratios);
  console.log(`pipeline (ingest + LL-HLS, ${PIPELINE_PAIRS} alternating pairs): health on ${median(on).toFixed(3)} ms CPU per media second, off ${median(off).toFixed(3)}; on/off ${r.toFixed(3)}x (${((r - 1) * 100).toFixed(1)} %), per pair ${ratios.map((x) => x.toFixed(3)).join(' ')}`);
  console.log(`pipeline: heap allocated per message ${median(bytesOn)} bytes with health, ${median(bytesOff)} without`);
}

runBench(async () => {
  const offShare = WINDOWS > 0 && ROUNDS > 0 ? await serverCpu() : undefined;
  if (MICRO) {
    const f = healthMicro({ streams: STREAMS, seconds: 120, readMs: 200, rounds: 5 });
    printMicro(f);
    if (offShare !== undefined) {
      console.log(`micro against the server: health's ${(healthMsPerSecond(f) * 1000).toFixed(0)} us per second is ${((healthMsPerSecond(f) / (offShare * 1000)) * 100).toFixed(2)} % of the health-off server's measured CPU`);
    }
  }
  if (PIPELINE_PAIRS > 0) await pipeline();
}, work);
