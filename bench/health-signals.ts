/**
 * Load-independent signals of what ingest health costs a live server (issue 18): a health-on and a health-off
 * OnAir (`--copies` of each) side by side on CPU 0, fed the same 10 real-time streams by ffmpeg's tee muxer (CPU 1),
 * and per server, over the same window, what does not depend on how busy the machine is:
 *
 *   npx tsx bench/health-signals.ts [--copies 1] [--warmup 60] [--seconds 60] [--strace 0] [--perf 0] [--port 23000]
 *                                   [--build 1] [--cpu-prof-us 0]
 *
 * - garbage collection, from V8's `--trace-gc-nvp` lines in the server's stdout: scavenges and mark-compacts, their
 *   pause time, V8's `allocated` and `promoted` fields summed, per second (`allocated` is the heap's growth between
 *   two collections, old space included: it swung 750-1800 KB/s between two identical servers here, so read the
 *   scavenge count for the young generation's allocation rate, not this);
 * - minor page faults (/proc/<pid>/stat);
 * - wake-ups: voluntary context switches of the main thread and of all threads (/proc/<pid>/task/<tid>/status), per
 *   second (a thread that blocks in epoll_wait and is woken switches once);
 * - with `--strace 1`, a second window of the same length under `strace -c -f`: every system call counted (exact;
 *   strace slows the servers, so its window is not the CPU window);
 * - CPU (schedstat) over the first window, for scale only: on a shared machine it is the noisy one;
 * - with `--perf 1`, `perf record -F 999` (the kernel's cpu-clock sampling: only while the server is on a CPU, no
 *   sampler thread inside it) on every server over the same window, node run with `--perf-basic-prof` so JIT code
 *   has names; samples by symbol (summed over each variant's copies, the largest on - off differences) and by kind:
 *   V8's collector, health's JavaScript, other JavaScript, V8 builtins (the interpreter's and baseline code's
 *   inline-cache handlers: code not yet optimized runs there), the kernel, the rest. A sample is ~1 ms on a CPU.
 *   Each server's report is kept as bench/out/health-signals-<on|off>-<copy>.perf.txt. Needs perf and root (or
 *   perf_event_paranoid <= 1);
 * - with `--cpu-prof-us N`, every server runs under `node --cpu-prof` and the profiles are saved as
 *   bench/out/health-signals-<on|off>-<copy>.cpuprofile, with the largest on - off differences of self time from the
 *   window's start on. V8's sampler is a thread inside the server, on its pinned core: it wakes the server thousands of
 *   times a second (the wake-up counts are then meaningless) and samples unevenly; `--perf 1` does not.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimeTeeArgs, referenceClip } from './lib/clip.js';
import { cpuSeconds } from './lib/proc-stats.js';
import { buildOnAir, startOnAir, waitPort, type BenchServer, type CpuProfile } from './lib/servers.js';
import { healthInstances, healthVariants } from './lib/health-variants.js';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'onair-health-signals-'));
const COPIES = numberArg('copies', 1);
const WARMUP_S = numberArg('warmup', 60);
const SECONDS = numberArg('seconds', 60);
const STRACE = numberArg('strace', 0) !== 0;
const PORT = numberArg('port', 23000);
const BUILD = numberArg('build', 1) !== 0;
const PROFILE_US = numberArg('cpu-prof-us', 0);
const PERF = numberArg('perf', 0) !== 0;
const STREAMS = 10;

interface Reading {
  readonly cpu: number;
  readonly logBytes: number;
  readonly mainSwitches: number;
  readonly allSwitches: number;
  /** Minor page faults of the whole process (/proc/<pid>/stat). */
  readonly minorFaults: number;
}

function switches(pid: number, tid: number): number {
  const s = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
}

function read(pid: number, log: string): Reading {
  let all = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      all += switches(pid, Number(tid));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const minorFaults = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  return { cpu: cpuSeconds(pid), logBytes: readFileSync(log).length, mainSwitches: switches(pid, pid), allSwitches: all, minorFaults };
}

interface GcSummary {
  scavenges: number;
  markCompacts: number;
  pauseMs: number;
  allocated: number;
  promoted: number;
}

/** V8's --trace-gc-nvp lines between two byte offsets of the server's stdout. */
function gcBetween(log: string, from: number, to: number): GcSummary {
  const text = readFileSync(log).subarray(from, to).toString('utf8');
  const g: GcSummary = { scavenges: 0, markCompacts: 0, pauseMs: 0, allocated: 0, promoted: 0 };
  for (const line of text.split('\n')) {
    const kind = / gc=(\w+) /.exec(line)?.[1];
    if (!kind) continue;
    if (kind === 's') g.scavenges++;
    else g.markCompacts++;
    g.pauseMs += Number(/ pause=([\d.]+)/.exec(line)?.[1] ?? 0);
    g.allocated += Number(/ allocated=(\d+)/.exec(line)?.[1] ?? 0);
    g.promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
  }
  return g;
}

/** `strace -c -f` on each server for `seconds`: syscall name -> calls. */
async function straceCounts(pids: readonly number[], seconds: number): Promise<Map<string, number>[]> {
  const outs = pids.map((pid) => join(work, `strace-${pid}.txt`));
  const tracers = pids.map((pid, i) => startChild('strace', ['-c', '-f', '-o', outs[i]!, '-p', String(pid)]));
  await sleep(seconds * 1000);
  await Promise.all(tracers.map((t) => new Promise<void>((r) => {
    t.once('exit', () => r());
    t.kill('SIGINT');
  })));
  return outs.map((f) => {
    const calls = new Map<string, number>();
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
      if (m) calls.set(m[2]!, Number(m[1]));
    }
    return calls;
  });
}

/** Self time by function (ms) over the profile's last `lastUs` (the window and the stop: start-up left out). */
function selfTimes(p: CpuProfile & { startTime: number; endTime: number; timeDeltas: number[] }, lastUs: number): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const deltas = p.timeDeltas;
  let t = p.startTime;
  p.samples.forEach((id, i) => {
    t += deltas[i]!;
    if (t < p.endTime - lastUs) return;
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}`;
    // A sample weighs the time to the next one (its delta is stored on the next sample).
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  });
  return self;
}

runBench(async () => {
  if (BUILD) buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  const instances = healthInstances(healthVariants(false), COPIES);
  const servers: BenchServer[] = [];
  const ffmpegs: ReturnType<typeof startChild>[] = [];
  const logs = instances.map((_, i) => join(work, `onair-data-${PORT + 10 * i}`, 'stdout.log'));
  const profileDirs = instances.map((_, i) => join(work, `profile-${i}`));
  const perfFiles = instances.map((_, i) => join(work, `perf-${i}.data`));
  let windowStart = performance.now();
  let profiledUs = 0;
  try {
    servers.push(...await Promise.all(instances.map((v, i) => startOnAir(0, PORT + 10 * i, work, {
      name: v.label, args: v.args, startTimeoutMs: 400_000,
      nodeArgs: ['--trace-gc-nvp', ...(PERF ? ['--perf-basic-prof'] : []), ...(PROFILE_US > 0 ? ['--cpu-prof', `--cpu-prof-interval=${PROFILE_US}`, `--cpu-prof-dir=${profileDirs[i]}`] : [])],
    }))));
    await Promise.all(instances.map((_, i) => waitPort(PORT + 10 * i + 1, 400_000)));
    for (let s = 0; s < STREAMS; s++) {
      ffmpegs.push(startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimeTeeArgs(clip, servers.map((sv) => sv.rtmpUrl(`s${s}`)))]));
    }
    console.log(`${instances.map((v) => v.label).join(', ')}: started; ${STREAMS} real-time streams each; warming up ${WARMUP_S} s`);
    await sleep(WARMUP_S * 1000);
    const before = servers.map((s, i) => read(s.pid, logs[i]!));
    const t0 = performance.now();
    windowStart = t0;
    const recorders = PERF ? servers.map((s, i) => startChild('perf', ['record', '-q', '-F', '999', '-o', perfFiles[i]!, '-p', String(s.pid)], ['ignore', 'ignore', 'ignore'])) : [];
    await sleep(SECONDS * 1000);
    await Promise.all(recorders.map((r) => new Promise<void>((done) => {
      r.once('exit', () => done());
      r.kill('SIGINT');
    })));
    const elapsed = (performance.now() - t0) / 1000;
    const after = servers.map((s, i) => read(s.pid, logs[i]!));
    const per = (x: number): string => (x / elapsed).toFixed(2);
    console.log(`window of ${elapsed.toFixed(1)} s, per second:`);
    console.log('  server              CPU ms  main wake-ups  all-thread wake-ups  scavenges  mark-compacts  GC pause ms  allocated KB  promoted KB  page faults');
    instances.forEach((v, i) => {
      const a = after[i]!;
      const b = before[i]!;
      const g = gcBetween(logs[i]!, b.logBytes, a.logBytes);
      console.log(`  ${v.label.padEnd(18)} ${per((a.cpu - b.cpu) * 1000).padStart(7)} ${per(a.mainSwitches - b.mainSwitches).padStart(14)} ${per(a.allSwitches - b.allSwitches).padStart(20)}`
        + ` ${per(g.scavenges).padStart(10)} ${per(g.markCompacts).padStart(14)} ${per(g.pauseMs).padStart(12)} ${per(g.allocated / 1024).padStart(13)} ${per(g.promoted / 1024).padStart(12)} ${per(a.minorFaults - b.minorFaults).padStart(12)}`);
    });
    if (STRACE) {
      const counts = await straceCounts(servers.map((s) => s.pid), SECONDS);
      const names = [...new Set(counts.flatMap((c) => [...c.keys()]))].filter((n) => n !== 'total')
        .sort((x, y) => (counts[0]!.get(y) ?? 0) - (counts[0]!.get(x) ?? 0));
      console.log(`system calls per second under strace -c -f (${SECONDS} s):`);
      console.log(`  ${'call'.padEnd(20)}${instances.map((v) => v.label.padStart(16)).join('')}`);
      for (const n of ['total', ...names]) console.log(`  ${n.padEnd(20)}${counts.map((c) => (((c.get(n) ?? 0) / SECONDS).toFixed(1)).padStart(16)).join('')}`);
    }
  } finally {
    for (const f of ffmpegs) await stopChild(f);
    await Promise.all(servers.map((s) => s.stop()));
    profiledUs = (performance.now() - windowStart) * 1000;
    // The servers' stdout (their --trace-gc-nvp lines) kept for a closer look.
    mkdirSync(join(root, 'bench/out'), { recursive: true });
    instances.forEach((v, i) => copyFileSync(logs[i]!, join(root, 'bench/out', `health-signals-${v.variant === 0 ? 'on' : 'off'}-${v.copy + 1}.log`)));
  }
  if (PERF) {
    // Each variant's samples by symbol, summed over its copies (cpu-clock at 999 Hz: a sample is ~1 ms on CPU).
    const bySymbol = instances.map((v, i) => {
      const out = execFileSync('perf', ['report', '-i', perfFiles[i]!, '--stdio', '--no-children', '--sort', 'dso,sym', '-F', 'sample,dso,sym'], { encoding: 'utf8', maxBuffer: 1 << 28 });
      writeFileSync(join(root, 'bench/out', `health-signals-${v.variant === 0 ? 'on' : 'off'}-${v.copy + 1}.perf.txt`), out);
      const m = new Map<string, number>();
      for (const line of out.split('\n')) {
        // JIT code's object is "[JIT] tid <pid>" (from --perf-basic-prof's map): one name for every server.
        const r = /^\s+(\d+)\s+(\[JIT\] tid \d+|\S+)\s+\[(.)\]\s+(.*?)\s*$/.exec(line);
        const key = r && `${r[2]!.startsWith('[JIT]') ? '[JIT]' : r[2]} ${r[4]}`;
        if (key) m.set(key, (m.get(key) ?? 0) + Number(r[1]));
      }
      return m;
    });
    for (const s of servers) rmSync(`/tmp/perf-${s.pid}.map`, { force: true });
    const on = sumVariant(instances, bySymbol, 0);
    const off = sumVariant(instances, bySymbol, 1);
    const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
    const diff = (k: string): number => (on.get(k) ?? 0) - (off.get(k) ?? 0);
    console.log(`perf record -F 999 over the window, samples summed over ${COPIES} cop${COPIES > 1 ? 'ies' : 'y'}: on ${total(on)}, off ${total(off)}; largest differences on - off:`);
    for (const k of [...new Set([...on.keys(), ...off.keys()])].sort((x, y) => Math.abs(diff(y)) - Math.abs(diff(x))).slice(0, 40)) {
      console.log(`  ${String(diff(k)).padStart(6)}  on ${String(on.get(k) ?? 0).padStart(6)}  off ${String(off.get(k) ?? 0).padStart(6)}  ${k.slice(0, 140)}`);
    }
    // By kind of work: V8's collector (main thread and its helper threads), health's own JavaScript, the rest.
    const kinds: [string, RegExp][] = [
      ['V8 garbage collection', /^node .*(Marking|Scaveng|Sweep|MarkCompact|MemoryChunk|RecordWrite|SizeFromMap|IteratePointers|Heap::|GCTracer|Evacuat|Compactor|RememberedSet|SlotSet|ShouldVisit)/],
      ['health JavaScript (JIT)', /^\[JIT\] .*\/health\//],
      ['other JavaScript (JIT)', /^\[JIT\] /],
      ['V8 builtins (interpreter, ICs)', /^node Builtins_/],
      ['kernel', /^\[kernel/],
    ];
    const kindOf = (k: string): string => kinds.find(([, re]) => re.test(k))?.[0] ?? 'other native (node, libc, V8 runtime)';
    const byKind = (m: Map<string, number>): Map<string, number> => {
      const d = new Map<string, number>();
      for (const [k, n] of m) d.set(kindOf(k), (d.get(kindOf(k)) ?? 0) + n);
      return d;
    };
    const onK = byKind(on);
    const offK = byKind(off);
    for (const k of [...kinds.map(([n]) => n), 'other native (node, libc, V8 runtime)']) {
      console.log(`  ${k.padEnd(40)} on ${String(onK.get(k) ?? 0).padStart(6)}  off ${String(offK.get(k) ?? 0).padStart(6)}  on - off ${String((onK.get(k) ?? 0) - (offK.get(k) ?? 0)).padStart(5)}`);
    }
    // By object (node binary, kernel, libc, JIT code): where the difference lies at the coarsest level.
    const byDso = (m: Map<string, number>): Map<string, number> => {
      const d = new Map<string, number>();
      for (const [k, n] of m) d.set(k.split(' ')[0]!, (d.get(k.split(' ')[0]!) ?? 0) + n);
      return d;
    };
    const onD = byDso(on);
    const offD = byDso(off);
    for (const k of [...new Set([...onD.keys(), ...offD.keys()])].sort((x, y) => (offD.get(y) ?? 0) - (offD.get(x) ?? 0)).slice(0, 12)) {
      console.log(`  dso ${k.padEnd(40)} on ${String(onD.get(k) ?? 0).padStart(6)}  off ${String(offD.get(k) ?? 0).padStart(6)}`);
    }
  }
  if (PROFILE_US > 0) {
    mkdirSync(join(root, 'bench/out'), { recursive: true });
    const selves: Map<string, number>[] = [];
    instances.forEach((v, i) => {
      const file = readdirSync(profileDirs[i]!).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`${v.label}: no profile written (the server did not exit cleanly)`);
      const saved = join(root, 'bench/out', `health-signals-${v.variant === 0 ? 'on' : 'off'}-${v.copy + 1}.cpuprofile`);
      copyFileSync(join(profileDirs[i]!, file), saved);
      selves.push(selfTimes(JSON.parse(readFileSync(saved, 'utf8')) as Parameters<typeof selfTimes>[0], profiledUs));
    });
    // Each variant's self times summed over its copies, ms over the whole run; the largest differences first.
    const on = sumVariant(instances, selves, 0);
    const off = sumVariant(instances, selves, 1);
    const keys = [...new Set([...on.keys(), ...off.keys()])];
    const diff = (k: string): number => (on.get(k) ?? 0) - (off.get(k) ?? 0);
    const total = (m: Map<string, number>): number => [...m].reduce((a, [k, ms]) => a + (k.startsWith('(idle)') ? 0 : ms), 0);
    console.log(`profiles (from the window's start to the stop, ms of self time summed over ${COPIES} cop${COPIES > 1 ? 'ies' : 'y'}): busy on ${total(on).toFixed(0)}, off ${total(off).toFixed(0)}; largest differences on - off:`);
    for (const k of keys.filter((x) => !x.startsWith('(idle)')).sort((x, y) => Math.abs(diff(y)) - Math.abs(diff(x))).slice(0, 30)) {
      console.log(`  ${diff(k).toFixed(1).padStart(8)}  on ${(on.get(k) ?? 0).toFixed(1).padStart(8)}  off ${(off.get(k) ?? 0).toFixed(1).padStart(8)}  ${k}`);
    }
  }
}, work);

/** One variant's figures (perf samples or profile ms per symbol) summed over its copies; `perInstance[i]` is instance i's. */
function sumVariant(instances: readonly { readonly variant: number }[], perInstance: readonly Map<string, number>[], variant: number): Map<string, number> {
  const m = new Map<string, number>();
  instances.forEach((v, i) => {
    if (v.variant === variant) for (const [k, n] of perInstance[i]!) m.set(k, (m.get(k) ?? 0) + n);
  });
  return m;
}
