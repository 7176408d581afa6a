/**
 * What ingest health costs per media message in a server that is busy all the time (issue 18's budget: <= 2 %):
 * the throughput mode of bench/health-cost.ts.
 *
 *   npx tsx bench/health-throughput.ts [--streams 10] [--rounds 5] [--warmup 10] [--windows 2] [--seconds 10]
 *                                      [--pace 0] [--slice-ms 100] [--seed 1] [--control 1] [--profile 0]
 *                                      [--copies 1] [--port 27100] [--build 1]
 *
 * Why: with 10 real-time streams the server uses ~2-3 % of a core, so a 2 % difference is ~0.05 % of a core, far
 * under what the scheduler's noise lets bench/health-cost.ts resolve. Here the same servers (dist/main.js as it ships,
 * `--health off`, and a second `--health off` as the noise control; HLS on, no players, no /metrics scrapes) all run
 * pinned to CPU 0, each receiving `--streams` RTMP publishers of the reference clip (bench/lib/flood-publishers.ts,
 * one process on CPU 1) that send as fast as the server reads, or at most `--pace` times real time (0: no cap).
 * The servers are then CPU-bound, sharing CPU 0, and their cost per message is what is compared.
 * Per window and server: CPU time (the sum of its threads' schedstat) and bytes it read (rchar of /proc/<pid>/io:
 * its socket reads of the publishers' RTMP bytes, read at the same moment as its CPU), so the CPU-seconds per GB of
 * RTMP ingested, and per media message (the clip's messages per byte of its steady loop; the loop repeats, so the
 * mix is the same in every server). Rounds restart everything with the roles in a seeded random order over the
 * positions (port, the generator's order); one value per round (summed CPU over summed bytes), geometric mean of the
 * ratios with a 95 % t interval over rounds (bench/lib/round-interval.ts), and the absolute difference in ns per
 * message. The control/off line is the noise check.
 * `--copies K` runs K instances of every variant side by side in each round (3K servers on CPU 0, positions shuffled
 * over all of them) and sums their CPU and bytes per variant: one instance's own layout and JIT decisions persist for
 * its whole round and are most of what separates two identical servers, so a round's value then averages K of them
 * and the interval over rounds narrows by about sqrt(K) for the same number of rounds.
 * What this mode does not weigh as it weighs in real time: health's once-a-second work (the evaluation timer) runs
 * once a second here too, against ~20-50x more messages, and with media seconds passing that much faster its window
 * sums are recomputed rather than updated. So it prints how the per-message difference translates to 10 real-time
 * streams; the evaluation's share in real time is bench/health-profile.ts's to read.
 * `--profile S`: after the windows of the last round, V8's sampling profiler in every server for S s (the servers
 * then run with an inspector port open): per-function self time in CPU-ms per GB, on vs off vs control, health's
 * own functions, and the profiles saved under bench/out/ for DevTools.
 * Media time runs `pace` or more times faster than the wall clock, so health with drift checks on sees
 * `timestamp_drift` (the state the health-on server held is printed); the per-message path is the same either way.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { numberArg, runBench, sleep } from './lib/children.js';
import { clipPacketsPerSecond, referenceClip } from './lib/clip.js';
import { IpcChild } from './lib/ipc-child.js';
import { cpuBusySeconds, cpuSeconds } from './lib/proc-stats.js';
import { meanInterval, ratioInterval, shuffled, type RoundInterval } from './lib/round-interval.js';
import { buildOnAir, startOnAir, waitPort, type BenchServer, type CpuProfile } from './lib/servers.js';
import { seededRandom } from '../src/protocols/srt/testing/seeded-random.js';
import { CTL, OFF, ON, healthInstances, healthVariants } from './lib/health-variants.js';

const root = resolve(import.meta.dirname, '..');
const STREAMS = numberArg('streams', 10);
const ROUNDS = numberArg('rounds', 5);
const WARMUP_MS = numberArg('warmup', 10) * 1000;
const WINDOWS = numberArg('windows', 2);
const SECONDS = numberArg('seconds', 10);
const PACE = numberArg('pace', 0);
const SLICE_MS = numberArg('slice-ms', 100);
const SEED = numberArg('seed', 1);
const CONTROL = numberArg('control', 1) !== 0;
const PROFILE_S = numberArg('profile', 0);
const PROFILE_INTERVAL_US = 250;
const PORT_BASE = numberArg('port', 27100);
/** `--build 0` skips `npm run build` (dist/ already current). */
const BUILD = numberArg('build', 1) !== 0;
const BUDGET = 1.02;
const work = mkdtempSync(join(tmpdir(), 'onair-health-throughput-'));

const VARIANTS = healthVariants(CONTROL);
const COPIES = numberArg('copies', 1);
/** Every server of a round: COPIES instances of each variant (`variant`: its index in VARIANTS). */
const INSTANCES = healthInstances(VARIANTS, COPIES);

/** One window of one server: CPU seconds and bytes read. */
interface Reading {
  readonly cpu: number;
  readonly bytes: number;
}

/** Bytes the process has read through read(2)-like calls (its sockets' input included): rchar of /proc/<pid>/io. */
function readBytes(pid: number): number {
  return Number(/^rchar: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
}

/** The last warning and error lines of the servers whose publisher count is wrong (their logs go to the data dir). */
function serverWarnings(ports: readonly number[], live: readonly number[]): string {
  const lines: string[] = [];
  ports.forEach((port, i) => {
    if (live[i] === STREAMS) return;
    let text = '';
    try {
      text = readFileSync(join(work, `onair-data-${port}`, 'stdout.log'), 'utf8');
    } catch {
      return;
    }
    const warned = text.split('\n').filter((l) => /"level":(4|5|6)\d/.test(l)).slice(-5);
    lines.push(`\n  port ${port}: ${warned.length > 0 ? warned.join('\n    ') : 'no warnings logged'}`);
  });
  return lines.join('');
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const since = (t: number): string => ((performance.now() - t) / 1000).toFixed(1);

async function scrape(httpPort: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
}

const metric = (text: string, re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);

/** `onair_streams{state="..."} n` lines, as "state n, ...". */
const healthStates = (text: string): string =>
  [...text.matchAll(/^onair_streams\{state="(\w+)"\} (\d+)/gm)].filter((m) => m[2] !== '0').map((m) => `${m[1]} ${m[2]}`).join(', ') || 'none';

interface Clip {
  readonly path: string;
  /** Media messages per byte of the replayed loop's RTMP chunks (the generator's figures, the same every round). */
  messagesPerByte: number;
  readonly messagesPerSecond: number;
}

interface RoundResult {
  readonly windows: Reading[][];
  readonly profiles?: (CpuProfile & { readonly cpu: number; readonly bytes: number })[];
}

async function round(r: number, clip: Clip, random: () => number): Promise<RoundResult> {
  const positions = shuffled(INSTANCES, random);
  const ports = positions.map((_, p) => PORT_BASE + 10 * p);
  const profiling = PROFILE_S > 0 && r === ROUNDS - 1;
  const servers: BenchServer[] = [];
  let gen: IpcChild | undefined;
  const began = performance.now();
  try {
    // Only the first copy of each variant is profiled (an inspector port each).
    servers.push(...await Promise.all(positions.map((v, p) => startOnAir(0, ports[p]!, work, { name: v.label, args: v.args, startTimeoutMs: 180_000, inspectGc: profiling && v.copy === 0 }))));
    await Promise.all(ports.map((p) => waitPort(p + 1, 180_000)));
    const byInstance = INSTANCES.map((v) => servers[positions.indexOf(v)]!);
    const byVariant = VARIANTS.map((_, i) => byInstance[i]!);
    gen = new IpcChild('bench/lib/flood-publishers.ts', 1);
    await gen.expect('ready');
    const urls = servers.flatMap((s) => Array.from({ length: STREAMS }, (_, i) => s.rtmpUrl(`s${i}`)));
    const loop = await gen.ask<{ messagesPerLoop: number; bytesPerLoop: number }>({ type: 'publish', urls, clip: clip.path, pace: PACE, sliceMs: SLICE_MS }, 'publishing');
    clip.messagesPerByte = loop.messagesPerLoop / loop.bytesPerLoop;
    const loadStart = load();
    console.log(`round ${r + 1}/${ROUNDS}: ${positions.map((v, p) => `${ports[p]}=${v.label}`).join(', ')}; load ${loadStart}; started in ${since(began)} s, warming up ${WARMUP_MS / 1000} s`);
    await sleep(WARMUP_MS);
    const live = await Promise.all(ports.map(async (p) => metric(await scrape(p + 1), /^onair_publishers (\d+)/m)));
    if (live.some((n) => n !== STREAMS)) throw new Error(`round ${r + 1}: publishers per server ${live.join(', ')}, expected ${STREAMS}${serverWarnings(ports, live)}`);
    const windows: Reading[][] = [];
    for (let w = 0; w < WINDOWS; w++) {
      const pids = byInstance.map((s) => s.pid);
      const cpu0 = pids.map(cpuSeconds);
      const bytes0 = pids.map(readBytes);
      const gen0 = cpuSeconds(gen.pid);
      const core0 = cpuBusySeconds(0);
      const t0 = performance.now();
      await sleep(SECONDS * 1000);
      const cpu1 = pids.map(cpuSeconds);
      const bytes1 = pids.map(readBytes);
      const elapsed = (performance.now() - t0) / 1000;
      // Per variant, summed over its copies (INSTANCES lists copy by copy, variants in order within each).
      const reading = VARIANTS.map((_, v) => {
        let cpu = 0;
        let bytes = 0;
        for (let i = v; i < pids.length; i += VARIANTS.length) {
          cpu += cpu1[i]! - cpu0[i]!;
          bytes += bytes1[i]! - bytes0[i]!;
        }
        return { cpu, bytes };
      });
      windows.push(reading);
      const genShare = (cpuSeconds(gen.pid) - gen0) / elapsed;
      const coreShare = (cpuBusySeconds(0) - core0) / elapsed;
      console.log(`  window ${w + 1}: ${VARIANTS.map((v, i) => `${v.name}${COPIES > 1 ? ` x${COPIES}` : ''} ${(100 * reading[i]!.cpu / elapsed).toFixed(1)} % ${(reading[i]!.bytes / elapsed / 1e6).toFixed(1)} MB/s ${(reading[i]!.cpu / (reading[i]!.bytes / 1e9)).toFixed(3)} s/GB`).join(' | ')}; CPU 0 busy ${(100 * coreShare).toFixed(0)} %, generator ${(100 * genShare).toFixed(0)} % of CPU 1`);
    }
    const profiles = profiling ? await profileAll(byVariant) : undefined;
    const counters = await gen.ask<{ bytes: number[]; closed: number }>({ type: 'counters' }, 'counters');
    const texts = await Promise.all(INSTANCES.map((v) => scrape(ports[positions.indexOf(v)]! + 1)));
    const after = texts.map((t) => metric(t, /^onair_publishers (\d+)/m));
    if (counters.closed > 0 || after.some((n) => n !== STREAMS)) throw new Error(`round ${r + 1}: ${counters.closed} publishers closed; publishers per server ${after.join(', ')}`);
    // Cross-check of what rchar counts: the media bytes each server says it received, against the RTMP bytes sent to it.
    const sent = INSTANCES.map((v) => counters.bytes.slice(positions.indexOf(v) * STREAMS, (positions.indexOf(v) + 1) * STREAMS).reduce((a, b) => a + b, 0));
    console.log(`round ${r + 1}: media bytes received / RTMP bytes sent ${INSTANCES.map((v, i) => `${v.label} ${(metric(texts[i]!, /^onair_received_bytes_total (\d+)/m) / sent[i]!).toFixed(3)}`).join(', ')}; health states on the health-on server: ${healthStates(texts[ON]!)}; load ${loadStart} -> ${load()}`);
    return { windows, ...(profiles ? { profiles } : {}) };
  } finally {
    const stopping = performance.now();
    await gen?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    console.log(`round ${r + 1}: stopped in ${since(stopping)} s; the round took ${since(began)} s`);
  }
}

/** A CPU profile of every server over the same PROFILE_S seconds, with the CPU and bytes each used meanwhile. */
async function profileAll(servers: readonly BenchServer[]): Promise<(CpuProfile & { cpu: number; bytes: number })[]> {
  const cpu0 = servers.map((s) => cpuSeconds(s.pid));
  const bytes0 = servers.map((s) => readBytes(s.pid));
  const profiles = await Promise.all(servers.map((s) => s.cpuProfile!(PROFILE_S, PROFILE_INTERVAL_US)));
  // Saved for DevTools (or a closer look): bench/out/health-throughput-<variant>.cpuprofile.
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  servers.forEach((s, i) => writeFileSync(join(root, 'bench/out', `health-throughput-${s.name.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profiles[i])));
  return profiles.map((p, i) => ({ ...p, cpu: cpuSeconds(servers[i]!.pid) - cpu0[i]!, bytes: readBytes(servers[i]!.pid) - bytes0[i]! }));
}

/** Self time per function in CPU-ms per GB read: each sample's share of the server's busy samples times its measured CPU. */
function selfCostPerGb(p: CpuProfile & { cpu: number; bytes: number }): { perGb: Map<string, number>; busy: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  let busy = 0;
  for (const id of p.samples) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    busy++;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const msPerGb = (p.cpu * 1000) / (p.bytes / 1e9);
  return { perGb: new Map([...counts].map(([k, n]) => [k, (n / busy) * msPerGb])), busy };
}

/** Health's code in dist/: the hub's meters and the service's evaluation, metrics series and HLS audience. */
const HEALTH_FILE = /\/(hub\/health|services\/health)\/[^/]+\.js$|\/services\/metrics\/stream-metrics\.js$/;

function printProfiles(profiles: readonly (CpuProfile & { cpu: number; bytes: number })[], clip: Clip): void {
  const on = selfCostPerGb(profiles[ON]!);
  const off = selfCostPerGb(profiles[OFF]!);
  const ctl = CONTROL ? selfCostPerGb(profiles[CTL]!) : undefined;
  const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  console.log(`\nprofile (${PROFILE_S} s, one sample per ${PROFILE_INTERVAL_US} us; ${on.busy} / ${off.busy}${ctl ? ` / ${ctl.busy}` : ''} busy samples): self time in CPU-ms per GB read, on vs off${ctl ? ' vs control' : ''}; totals ${total(on.perGb).toFixed(1)} / ${total(off.perGb).toFixed(1)}${ctl ? ` / ${total(ctl.perGb).toFixed(1)}` : ''}`);
  const keys = new Set([...on.perGb.keys(), ...off.perGb.keys()]);
  const rows = [...keys].map((k) => ({ k, a: on.perGb.get(k) ?? 0, b: off.perGb.get(k) ?? 0, c: ctl?.perGb.get(k) ?? 0 }));
  console.log('  largest differences (on minus off), with the control\'s difference from off for scale:');
  for (const row of rows.sort((x, y) => Math.abs(y.a - y.b) - Math.abs(x.a - x.b)).slice(0, 15)) {
    console.log(`  ${(row.a - row.b >= 0 ? '+' : '') + (row.a - row.b).toFixed(2)} (${row.a.toFixed(2)} vs ${row.b.toFixed(2)}${ctl ? `, control ${(row.c - row.b >= 0 ? '+' : '') + (row.c - row.b).toFixed(2)}` : ''})  ${row.k}`);
  }
  // Health's own functions, split into the once-a-second evaluation (absolute CPU per second) and the rest.
  const byId = new Map(profiles[ON]!.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profiles[ON]!.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let busy = 0;
  let health = 0;
  let evaluation = 0;
  for (const id of profiles[ON]!.samples) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    busy++;
    let inHealth = false;
    let inEvaluation = false;
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const f = byId.get(n)!.callFrame;
      if (HEALTH_FILE.test(f.url)) inHealth = true;
      if (f.functionName === 'evaluateAll') inEvaluation = true;
    }
    if (inHealth) health++;
    if (inEvaluation) evaluation++;
  }
  const p = profiles[ON]!;
  const cpuPerS = p.cpu / PROFILE_S;
  console.log('  self time in health\'s files (health-on server), CPU-ms per GB:');
  for (const [k, v] of [...on.perGb].filter(([k]) => / (health\/[\w-]+|metrics\/stream-metrics)\.js$/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    console.log(`    ${v.toFixed(2).padStart(7)}  ${k}`);
  }
  console.log(`  health-on server: samples with health code on the stack ${((100 * health) / busy).toFixed(2)} % of busy samples (${health}); of them the once-a-second evaluation (at this media rate) ${evaluation} = ${((p.cpu * 1000 * evaluation) / busy / PROFILE_S).toFixed(3)} ms of CPU per second (${(cpuPerS * 100).toFixed(1)} % of a core in all, ${(p.bytes / PROFILE_S / 1e6).toFixed(1)} MB/s read, ${((p.bytes / PROFILE_S) * clip.messagesPerByte).toFixed(0)} messages/s)`);
}

function verdict(i: RoundInterval, limit: number, show: (x: number) => string, unit: string): string {
  const range = `${show(i.low)} to ${show(i.high)}`;
  if (i.high <= limit) return `within ${unit}: the whole 95 % interval (${range}) lies below it`;
  if (i.low > limit) return `over ${unit}: the whole 95 % interval (${range}) lies above it`;
  return `not resolved at ${unit}: the 95 % interval runs from ${range}`;
}

const pct = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(2)} %`;

function report(results: readonly RoundResult[], clip: Clip): void {
  /** CPU-seconds per GB read by variant `i` over one round's windows. */
  const perGb = (rr: RoundResult, i: number): number => {
    let cpu = 0;
    let bytes = 0;
    for (const w of rr.windows) {
      cpu += w[i]!.cpu;
      bytes += w[i]!.bytes;
    }
    return cpu / (bytes / 1e9);
  };
  const nsPerMessage = (sPerGb: number): number => (sPerGb / 1e9 / clip.messagesPerByte) * 1e9;
  console.log(`\nCPU per GB of RTMP read, ${STREAMS} streams per server${COPIES > 1 ? `, ${COPIES} servers of each variant summed` : ''}, ${results.length} rounds x ${WINDOWS} windows of ${SECONDS} s (pace ${PACE > 0 ? `<= ${PACE}x real time` : 'unbounded'}); one value per round, 95 % t interval over rounds:`);
  VARIANTS.forEach((v, i) => {
    const xs = results.map((rr) => perGb(rr, i));
    const m = meanInterval(xs);
    console.log(`  ${v.name.padEnd(14)} ${m.mean.toFixed(4)} CPU-s/GB [${m.low.toFixed(4)}-${m.high.toFixed(4)}] = ${nsPerMessage(m.mean).toFixed(0)} ns per media message; per round ${xs.map((x) => x.toFixed(4)).join(' ')}`);
  });
  const comparisons = [
    { name: 'health on / off', a: ON, b: [OFF] },
    ...(CONTROL ? [{ name: 'control / off (noise)', a: CTL, b: [OFF] }, { name: 'on / mean(off, control)', a: ON, b: [OFF, CTL] }] : []),
  ];
  const out = comparisons.map((c) => {
    const ratios = results.map((rr) => perGb(rr, c.a) / (c.b.reduce((s, j) => s + perGb(rr, j), 0) / c.b.length));
    const diffs = results.map((rr) => nsPerMessage(perGb(rr, c.a)) - c.b.reduce((s, j) => s + nsPerMessage(perGb(rr, j)), 0) / c.b.length);
    const ratio = ratioInterval(ratios);
    const diff = meanInterval(diffs);
    console.log(`  ${c.name.padEnd(24)} ${ratio.mean.toFixed(4)}x (${pct(ratio.mean)}), 95 % CI ${ratio.low.toFixed(4)}-${ratio.high.toFixed(4)}x; per round ${ratios.map((x) => x.toFixed(4)).join(' ')}`);
    console.log(`  ${''.padEnd(24)} ${diff.mean >= 0 ? '+' : ''}${diff.mean.toFixed(1)} ns per message, 95 % CI ${diff.low.toFixed(1)} to ${diff.high.toFixed(1)}`);
    return { ratio, diff };
  });
  console.log(`  => per message, ${PACE > 0 ? `paced at <= ${PACE}x real time (the servers may idle between reads)` : 'busy server'}: ${verdict(out[0]!.ratio, BUDGET, pct, '+2 %')}`);
  // Against both off servers (when there is a control): the off side then averages two instances per round.
  if (CONTROL) console.log(`  => the same against mean(off, control): ${verdict(out[2]!.ratio, BUDGET, pct, '+2 %')}`);
  if (CONTROL) {
    const n = out[1]!.ratio;
    console.log(`  => noise check: control/off ${n.low <= 1 && n.high >= 1 ? 'holds 1.00, as it should' : 'misses 1.00 (1 run in 20 by chance; if it recurs, read the intervals as too narrow)'}`);
    // Two identical servers spreading wider than the budget: an on/off interval narrower than that was partly luck.
    if (n.low < 1 / BUDGET || n.high > BUDGET) console.log(`  => caution: identical servers differed by more than 2 % here (${pct(n.low)} to ${pct(n.high)}); take more rounds or longer windows before reading the on/off verdict as settled`);
  }
  const d = out[0]!.diff;
  const rtMessages = STREAMS * clip.messagesPerSecond;
  console.log(`  => in real time (${STREAMS} streams x ${clip.messagesPerSecond.toFixed(1)} messages/s = ${rtMessages.toFixed(0)}/s) the per-message difference is ${((d.mean * rtMessages) / 1e6).toFixed(3)} ms of CPU per second [${((d.low * rtMessages) / 1e6).toFixed(3)} to ${((d.high * rtMessages) / 1e6).toFixed(3)}], plus health's once-a-second work, against the ~20 ms/s a health-off server uses for them (bench/health-cost.ts)`);
  console.log('     (the once-a-second evaluation is not weighed here as in real time: it runs once a wall second against 20-50x the messages, and with media');
  console.log('      seconds passing 20-50x faster its window sums are recomputed instead of updated; read it in a real-time server: bench/health-profile.ts)');
}

runBench(async () => {
  const began = performance.now();
  if (ROUNDS < 2) throw new Error('--rounds must be at least 2: the interval is taken over rounds');
  if (BUILD) buildOnAir();
  const path = referenceClip(join(root, 'bench/out/media'));
  const clip: Clip = { path, messagesPerSecond: clipPacketsPerSecond(path), messagesPerByte: NaN };
  if (COPIES < 1) throw new Error('--copies must be at least 1');
  console.log(`throughput: ${STREAMS} publishers per server, ${INSTANCES.length} servers on CPU 0 (${COPIES} of each variant), generator on CPU 1, pace ${PACE > 0 ? `<= ${PACE}x real time` : 'unbounded (TCP back-pressure)'}; seed ${SEED}; ${ROUNDS} rounds of ${WARMUP_MS / 1000} s warm-up + ${WINDOWS} x ${SECONDS} s`);
  const random = seededRandom(SEED);
  const results: RoundResult[] = [];
  for (let r = 0; r < ROUNDS; r++) results.push(await round(r, clip, random));
  report(results, clip);
  const profiled = results[results.length - 1]!.profiles;
  if (profiled) printProfiles(profiled, clip);
  console.log(`\nrun time ${since(began)} s`);
}, work);
