/**
 * Re-push benchmark (issue 19): server CPU per re-push target, OnAir's own RTMP client against nginx-rtmp `push`,
 * measured in the same run.
 *
 *   npx tsx bench/repush.ts [--targets 1,5,10] [--seconds 20] [--windows 5] [--warmup 20]
 *
 * For each level N (and a baseline N = 0), freshly started on CPU 0 at the same time:
 *  - OnAir (dist/, `--hls off`: ingest and re-push only, like the peer) with one API stream and N enabled targets;
 *  - nginx-rtmp (one process) with `push` N times in its application.
 * On CPU 1: one ffmpeg publishing the reference clip (720p30, ~2.7 Mb/s) in real time to each, and one nginx-rtmp
 * sink that receives every push (OnAir's and nginx's alike, under different names). After the warm-up the two
 * servers' CPU is read over the same windows; the per-target cost is (CPU at N - CPU at 0) / N, so ingest is not
 * counted, and, over all levels, the slope of a least-squares line through (N, CPU) (steadier than any single
 * difference: a target costs a few hundredths of a percent of a core, near the noise of one window). OnAir's targets are checked live, real time and
 * without dropped frames at the end of each level; nginx's pushes are checked by probing one of them at the sink.
 * Figures on a shared machine are indicative: run it on a quiet one for numbers to quote.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuShares } from './lib/proc-stats.js';
import { buildOnAir, nginxRtmpAvailable, nginxRtmpCommand, startOnAir, waitPort, type BenchServer } from './lib/servers.js';

const SECONDS = numberArg('seconds', 20);
const WINDOWS = numberArg('windows', 5);
const WARMUP_MS = numberArg('warmup', 20) * 1000;
const LEVELS = listArg('targets', [1, 5, 10]);
const TOKEN = 'bench-admin-token-0123456789';
const PORTS = { onair: 19400, relay: 19410, sink: 19420 };
const work = mkdtempSync(join(tmpdir(), 'onair-bench-repush-'));
const clip = referenceClip(resolve(import.meta.dirname, 'out/media'));

function listArg(name: string, def: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]!.split(',').map(Number) : def;
}

async function nginx(dir: string, port: number, cpu: number, application: string): Promise<{ pid: number; child: ChildProcess }> {
  const { cmd, args } = nginxRtmpCommand(join(work, dir), port, cpu, application);
  const child = startChild(cmd, args);
  await waitPort(port);
  return { pid: child.pid!, child };
}

function publish(url: string): ChildProcess {
  return startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimePublishArgs(clip, url)]);
}

async function api(method: string, path: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`http://127.0.0.1:${PORTS.onair + 1}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

interface Level {
  targets: number;
  onair: number[];
  nginx: number[];
  check: string;
}

async function level(n: number): Promise<Level> {
  const onair: BenchServer = await startOnAir(0, PORTS.onair, work, {
    args: ['--auth', 'keys', '--api-token', TOKEN, '--hls', 'off'], startTimeoutMs: 180_000,
  });
  await waitPort(PORTS.onair + 1, 60_000); // the API listens after RTMP
  const pushes = Array.from({ length: n }, (_, i) => `push rtmp://127.0.0.1:${PORTS.sink}/live/nginx-${n}-${i};`).join(' ');
  const relay = await nginx(`relay-${n}`, PORTS.relay, 0, `live on; ${pushes}`);
  const children: ChildProcess[] = [];
  try {
    const stream = await api('POST', '/streams', { name: `bench ${n}` });
    for (let i = 0; i < n; i++) await api('POST', `/streams/${stream.id}/targets`, { url: `rtmp://127.0.0.1:${PORTS.sink}/live`, streamKey: `onair-${n}-${i}` });
    children.push(publish(`rtmp://127.0.0.1:${PORTS.onair}/live/${stream.streamKey}`), publish(`rtmp://127.0.0.1:${PORTS.relay}/live/src`));
    await sleep(WARMUP_MS);
    const result: Level = { targets: n, onair: [], nginx: [], check: '' };
    for (let w = 0; w < WINDOWS; w++) {
      const [a, b] = await cpuShares([onair.pid, relay.pid], SECONDS);
      result.onair.push(a!);
      result.nginx.push(b!);
    }
    if (n > 0) result.check = await check(stream.id, n);
    return result;
  } finally {
    for (const c of children) await stopChild(c, 3000);
    await stopChild(relay.child, 3000);
    await onair.stop();
  }
}

/** Every OnAir target live and real time without drops; one nginx push readable at the sink. */
async function check(streamId: string, n: number): Promise<string> {
  const { data } = await api('GET', `/streams/${streamId}/targets`) as { data: { status: string; bitrateOut: number; droppedFrames: number }[] };
  const live = data.filter((t) => t.status === 'live').length;
  const slowest = Math.min(...data.map((t) => t.bitrateOut));
  const dropped = data.reduce((s, t) => s + t.droppedFrames, 0);
  let nginxOk = 'no';
  try {
    execFileSync('ffprobe', ['-v', 'error', '-rw_timeout', '5000000', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', `rtmp://127.0.0.1:${PORTS.sink}/live/nginx-${n}-0`], { timeout: 15_000 });
    nginxOk = 'yes';
  } catch {
    // reported below
  }
  return `onair ${live}/${n} live, slowest ${(slowest / 1e6).toFixed(2)} Mb/s, ${dropped} dropped; nginx push readable: ${nginxOk}`;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

async function main(): Promise<void> {
  if (!nginxRtmpAvailable()) throw new Error('nginx-rtmp is needed (apt-get install nginx libnginx-mod-rtmp): the peer and the sink');
  buildOnAir();
  const sink = await nginx('sink', PORTS.sink, 1, 'live on;');
  const levels: Level[] = [];
  try {
    for (const n of [0, ...LEVELS]) {
      const l = await level(n);
      levels.push(l);
      console.log(`${n} targets: OnAir ${l.onair.map(pct).join(' ')} | nginx ${l.nginx.map(pct).join(' ')} ${l.check}`);
    }
  } finally {
    await stopChild(sink.child, 3000);
  }
  const base = levels[0]!;
  console.log(`\nCPU of one core, median of ${WINDOWS} windows of ${SECONDS} s after ${WARMUP_MS / 1000} s (reference clip ~2.7 Mb/s; OnAir --hls off)`);
  console.log('targets | OnAir total | nginx total | OnAir per target | nginx per target | ratio');
  for (const l of levels.slice(1)) {
    const onairPer = (median(l.onair) - median(base.onair)) / l.targets;
    const nginxPer = (median(l.nginx) - median(base.nginx)) / l.targets;
    console.log(`${String(l.targets).padStart(7)} | ${pct(median(l.onair)).padStart(11)} | ${pct(median(l.nginx)).padStart(11)} | ${pct(onairPer).padStart(16)} | ${pct(nginxPer).padStart(16)} | ${ratio(onairPer, nginxPer)}`);
  }
  console.log(`baseline (ingest only): OnAir ${pct(median(base.onair))}, nginx ${pct(median(base.nginx))}`);
  const onairSlope = slope(levels.map((l) => [l.targets, median(l.onair)]));
  const nginxSlope = slope(levels.map((l) => [l.targets, median(l.nginx)]));
  console.log(`per target, slope over all levels: OnAir ${pct(onairSlope)}, nginx ${pct(nginxSlope)}, ratio ${ratio(onairSlope, nginxSlope)}`);
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/** a / b, or a note when b is within the noise (a hundredth of a percent of a core). */
function ratio(a: number, b: number): string {
  return b > 0.0001 ? `${(a / b).toFixed(2)}x` : 'n/a (peer within noise)';
}

runBench(main, work);
