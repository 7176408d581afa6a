/**
 * One OnAir (dist/, health on unless `--off 1`) with 10 RTMP publishers, measured from outside and profiled from
 * inside, for reading where ingest health's cost goes (issue 18):
 *
 *   npx tsx bench/health-probe.ts [--realtime 0] [--seconds 15] [--profile-us 50] [--cpus 0] [--off 0] [--port 43700] [--build 1]
 *
 * Load: `--realtime 0` (default) the CPU-bound flood of bench/health-throughput.ts (bench/lib/flood-publishers.ts on
 * CPU 1, as fast as the server reads); `--realtime 1` ten ffmpeg processes publishing the reference clip in real time
 * (CPU 1). After a settling time (3 s flood, 20 s real time) one window of `--seconds`: the server's CPU (schedstat),
 * bytes read (rchar) and, for the flood, media messages a second and CPU per message.
 * `--profile-us N` runs the server under `node --cpu-prof` (one sample per N us; 0: no profile) and prints, from the
 * profile written at its exit (start-up included), the share of busy samples with health code on the stack, by
 * where health was entered, and health's largest self times. Why not the inspector's profiler of
 * bench/health-profile.ts: with the server pinned to one core, V8's sampling thread shares that core and gets to
 * sample mostly right after the server wakes up, which puts the weight of a whole idle gap on the first code a
 * turn runs (in real time: the first read's clock reading). `--cpus 0,1` lets the sampler run beside the server.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { IpcChild } from './lib/ipc-child.js';
import { cpuSeconds } from './lib/proc-stats.js';
import { buildOnAir, startOnAir, waitPort, type CpuProfile } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'onair-health-probe-'));
const PORT = numberArg('port', 43700);
const SECONDS = numberArg('seconds', 15);
const OFF = numberArg('off', 0) !== 0;
const REALTIME = numberArg('realtime', 0) !== 0;
const PROFILE_US = numberArg('profile-us', 50);
const CPUS = process.argv.includes('--cpus') ? process.argv[process.argv.indexOf('--cpus') + 1]! : '0';
const STREAMS = 10;
/** `--build 0` skips `npm run build` (dist/ already current). */
const BUILD = numberArg('build', 1) !== 0;
const HEALTH_FILE = /\/(hub\/health|services\/health)\/[^/]+\.js$/;

const rchar = (pid: number): number => Number(/^rchar: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);

function printProfile(p: CpuProfile): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number): string => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}`;
  };
  let busy = 0;
  let health = 0;
  const entries = new Map<string, number>();
  const self = new Map<string, number>();
  for (const id of p.samples) {
    const leaf = byId.get(id)!.callFrame.functionName;
    if (leaf === '(idle)' || leaf === '(program)') continue;
    busy++;
    let outermost: number | undefined;
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) if (HEALTH_FILE.test(byId.get(n)!.callFrame.url)) outermost = n;
    if (outermost === undefined) continue;
    health++;
    entries.set(name(outermost), (entries.get(name(outermost)) ?? 0) + 1);
    self.set(name(id), (self.get(name(id)) ?? 0) + 1);
  }
  const pct = (n: number): string => `${((100 * n) / busy).toFixed(2)} %`;
  console.log(`profile: ${busy} busy samples (start-up included); health code on the stack in ${health} = ${pct(health)}`);
  console.log('  by where health was entered:');
  for (const [k, n] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(`    ${pct(n).padStart(8)}  ${k}`);
  console.log('  self time under health:');
  for (const [k, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${pct(n).padStart(8)}  ${k}`);
}

runBench(async () => {
  if (BUILD) buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  const profileDir = join(work, 'profile');
  const nodeArgs = PROFILE_US > 0 ? ['--cpu-prof', `--cpu-prof-interval=${PROFILE_US}`, `--cpu-prof-dir=${profileDir}`] : [];
  const server = await startOnAir(0, PORT, work, { name: 'probe', args: OFF ? ['--health', 'off'] : [], nodeArgs, cpus: CPUS, startTimeoutMs: 180_000 });
  let gen: IpcChild | undefined;
  const ffmpegs: ReturnType<typeof startChild>[] = [];
  try {
    await waitPort(PORT + 1, 180_000);
    const urls = Array.from({ length: STREAMS }, (_, i) => server.rtmpUrl(`s${i}`));
    let messagesPerByte = NaN;
    if (REALTIME) {
      for (const u of urls) ffmpegs.push(startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimePublishArgs(clip, u)]));
    } else {
      gen = new IpcChild('bench/lib/flood-publishers.ts', 1);
      await gen.expect('ready');
      const loop = await gen.ask<{ messagesPerLoop: number; bytesPerLoop: number }>({ type: 'publish', urls, clip, pace: 0, sliceMs: 100 }, 'publishing');
      messagesPerByte = loop.messagesPerLoop / loop.bytesPerLoop;
    }
    await sleep(REALTIME ? 20_000 : 3000);
    const cpu0 = cpuSeconds(server.pid);
    const bytes0 = rchar(server.pid);
    const t0 = performance.now();
    await sleep(SECONDS * 1000);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(server.pid) - cpu0;
    const bytes = rchar(server.pid) - bytes0;
    const messages = bytes * messagesPerByte;
    console.log(`${OFF ? 'health off' : 'health on'}, ${STREAMS} ${REALTIME ? 'real-time' : 'flood'} publishers, CPUs ${CPUS}: ${((100 * cpu) / elapsed).toFixed(1)} % of a core, ${(bytes / elapsed / 1e6).toFixed(2)} MB/s read`
      + (REALTIME ? '' : `, ${(messages / elapsed).toFixed(0)} messages/s, ${((cpu / messages) * 1e9).toFixed(0)} ns of CPU per message`));
  } finally {
    await gen?.stop();
    for (const f of ffmpegs) await stopChild(f);
    await server.stop();
  }
  if (PROFILE_US > 0) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      // Kept for a closer look (DevTools, or a script): bench/out/health-probe-<on|off>-<flood|realtime>.cpuprofile.
      const saved = join(root, 'bench/out', `health-probe-${OFF ? 'off' : 'on'}-${REALTIME ? 'realtime' : 'flood'}.cpuprofile`);
      mkdirSync(join(root, 'bench/out'), { recursive: true });
      copyFileSync(join(profileDir, file), saved);
      console.log(`profile saved: ${saved}`);
      printProfile(JSON.parse(readFileSync(saved, 'utf8')) as CpuProfile);
    } else console.log('no profile written (the server did not exit cleanly)');
  }
}, work);
