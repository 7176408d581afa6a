/**
 * OnAir's fixed CPU cost (issue 17): what one live stream costs with nobody watching, and what the server costs
 * with no stream at all, and where that CPU goes.
 *
 *   npx tsx bench/fixed-cost.ts [--seconds 20] [--warmup 10] [--runs 3] [--profile-seconds 20] [--interval-us 200]
 *     [--onair-args "--flag value ..."] [--port 24000] [--no-profile]
 *
 * One OnAir from dist/ (segments mode as bench/hls-viewers.ts runs it: standard latency, 2 s segments), pinned to
 * CPU 0. Per run: a fresh server; its CPU (all threads, and the main thread apart from the others) over `--seconds` idle (no publisher), then again over `--seconds` with one publisher (ffmpeg -re of the
 * reference clip on CPU 1) after `--warmup` s. The runs' medians are printed. Then, unless `--no-profile`, one more
 * server is profiled from inside (V8's sampling profiler through the inspector, one sample per `--interval-us`) idle
 * and with the publisher, and the samples in which it was busy are attributed to areas of the source tree by the
 * file of the sample's innermost OnAir frame (the code that did the work or called into Node/V8 for it), with
 * garbage collection and Node/V8 work outside any OnAir frame (timers, sockets) shown apart. The CPU figures are
 * taken with no profiler running; the profile shows shares, its own cost inflates every part alike.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { median, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuSeconds } from './lib/proc-stats.js';
import { buildOnAir, startOnAir, type BenchServer, type CpuProfile } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'onair-fixed-cost-'));
const SERVER_CPU = 0;
const PUBLISHER_CPU = 1;
const STREAM = 'bench';
/** As bench/hls-viewers.ts's segments mode: what the issue's figure (1.41 % of a core) was taken with. */
const SEGMENT_ARGS = ['--latency-mode', 'standard', '--hls-segment-ms', '2000'];

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    'profile-seconds': { type: 'string', default: '20' },
    'interval-us': { type: 'string', default: '200' },
    'onair-args': { type: 'string', default: '' },
    'no-profile': { type: 'boolean', default: false },
    port: { type: 'string', default: '24000' },
  },
});
const SECONDS = Number(args.seconds);
const WARMUP_S = Number(args.warmup);
const RUNS = Number(args.runs);
const PROFILE_S = Number(args['profile-seconds']);
const INTERVAL_US = Number(args['interval-us']);
const ONAIR_ARGS = [...SEGMENT_ARGS, ...args['onair-args']!.split(' ').filter(Boolean)];

/**
 * CPU seconds so far of the main thread (JavaScript, libuv's loop, the kernel work of its syscalls) and of all other
 * threads together (V8's platform workers: concurrent GC, JavaScript and WebAssembly compilation, e.g. the embedded
 * database's tier-up; libuv's pool: file system calls). Node 20 names them all "node", so they are told apart only
 * as the main thread (tid = pid) or not.
 */
function threadSeconds(pid: number): { main: number; other: number } {
  const out = { main: 0, other: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
      if (tid === String(pid)) out.main += s;
      else out.other += s;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

interface Window { readonly pct: number; readonly mainPct: number; readonly otherPct: number }

async function cpuWindow(pid: number, seconds: number): Promise<Window> {
  const [a, total0, t0] = [threadSeconds(pid), cpuSeconds(pid), Date.now()];
  await sleep(seconds * 1000);
  const [b, total1, el] = [threadSeconds(pid), cpuSeconds(pid), (Date.now() - t0) / 1000];
  const pct = (x: number): number => (100 * x) / el;
  return { pct: pct(total1 - total0), mainPct: pct(b.main - a.main), otherPct: pct(b.other - a.other) };
}

async function waitPlayable(httpPort: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await fetch(`http://127.0.0.1:${httpPort}/hls/${STREAM}/index.m3u8`).catch(() => undefined))?.ok) return;
    await sleep(200);
  }
  throw new Error('the stream never became playable');
}

/** A fresh server; `use` runs with it (and `publish()` starting the publisher); everything stopped after. */
async function withServer<T>(port: number, inspect: boolean, use: (s: BenchServer, publish: () => Promise<void>) => Promise<T>): Promise<T> {
  const server = await startOnAir(SERVER_CPU, port, work, { args: ONAIR_ARGS, inspectGc: inspect, name: 'onair' });
  let publisher: ReturnType<typeof startChild> | undefined;
  try {
    return await use(server, async () => {
      publisher = startChild('taskset', ['-c', String(PUBLISHER_CPU), 'ffmpeg', ...realtimePublishArgs(referenceClip(join(root, 'bench/out/media')), server.rtmpUrl(STREAM))]);
      await waitPlayable(port + 1);
    });
  } finally {
    if (publisher) await stopChild(publisher);
    await server.stop();
  }
}

/** Where a source file belongs: its directory under dist/ (two levels), a package, or Node itself. */
function areaOf(url: string): string | undefined {
  const dist = url.indexOf('/dist/');
  if (dist >= 0 && !url.includes('/node_modules/')) {
    const parts = url.slice(dist + 6).split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts.length === 2 ? parts[0] : `(top) ${parts[0]}`;
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return `pkg ${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  return undefined;
}

function printProfile(label: string, profile: CpuProfile): void {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const leaf = byId.get(id)!;
    const name = leaf.callFrame.functionName;
    if (name === '(idle)') continue;
    busy++;
    let area: string | undefined;
    if (name === '(garbage collector)') area = '(garbage collector)';
    else if (name === '(program)') area = '(program: V8/Node native, no JS frame)';
    else {
      for (let n: number | undefined = id; n !== undefined && !area; n = parent.get(n)) area = areaOf(byId.get(n)!.callFrame.url);
      area ??= 'node internals (timers, sockets, no OnAir frame)';
    }
    areas.set(area, (areas.get(area) ?? 0) + 1);
    const fn = `${name || '(anonymous)'} ${leaf.callFrame.url.split('/').slice(-2).join('/')}`;
    fns.set(fn, (fns.get(fn) ?? 0) + 1);
  }
  const pct = (n: number): string => `${((100 * n) / Math.max(1, busy)).toFixed(1).padStart(5)} %`;
  console.log(`\n${label}: ${profile.samples.length} samples, ${busy} busy (one per ${INTERVAL_US} us); share of busy samples by area (innermost OnAir frame):`);
  for (const [a, n] of [...areas].sort((x, y) => y[1] - x[1])) console.log(`  ${pct(n)}  ${a}`);
  console.log('  top self time:');
  for (const [f, n] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, 25)) console.log(`  ${pct(n)}  ${f}`);
}

runBench(async () => {
  buildOnAir();
  referenceClip(join(root, 'bench/out/media'));
  let port = Number(args.port);
  console.log(`fixed cost: OnAir ${ONAIR_ARGS.join(' ')}; CPU ${SERVER_CPU}, publisher on CPU ${PUBLISHER_CPU}; ${RUNS} run(s) of ${SECONDS} s idle + ${SECONDS} s one publisher`);
  const idle: Window[] = [];
  const live: Window[] = [];
  for (let r = 0; r < RUNS; r++) {
    await withServer((port += 10), false, async (server, publish) => {
      await sleep(WARMUP_S * 1000);
      idle.push(await cpuWindow(server.pid, SECONDS));
      await publish();
      await sleep(WARMUP_S * 1000);
      live.push(await cpuWindow(server.pid, SECONDS));
    });
    const f = (w: Window): string => `${w.pct.toFixed(2)} % (main thread ${w.mainPct.toFixed(2)}, other threads ${w.otherPct.toFixed(2)})`;
    console.log(`run ${r + 1}: idle ${f(idle[r]!)}; one publisher ${f(live[r]!)}`);
  }
  const m = (ws: Window[], k: keyof Window): string => median(ws.map((w) => w[k])).toFixed(2);
  if (RUNS > 0) console.log(`median: idle ${m(idle, 'pct')} % of a core (main thread ${m(idle, 'mainPct')}, other threads ${m(idle, 'otherPct')}); ` +
    `one publisher ${m(live, 'pct')} % (main thread ${m(live, 'mainPct')}, other threads ${m(live, 'otherPct')})`);
  if (args['no-profile']) return;
  await withServer((port += 10), true, async (server, publish) => {
    await sleep(WARMUP_S * 1000);
    printProfile('idle, no publisher', await server.cpuProfile!(PROFILE_S, INTERVAL_US));
    await publish();
    await sleep(WARMUP_S * 1000);
    printProfile('one publisher, no viewers', await server.cpuProfile!(PROFILE_S, INTERVAL_US));
  });
}, work);
