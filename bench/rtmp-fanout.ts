/**
 * RTMP fan-out benchmark: one real-time publisher of the reference clip (720p30, ~2.7 Mb/s) and N players,
 * server on CPU 0, load (publisher + players, eager in-process readers) on CPU 1. For each server and level:
 * server CPU seconds per GB delivered, CPU 0 busy seconds per GB (includes kernel work), RSS per player,
 * players keeping real time (>= 95 % of the published bytes in the window), relay latency, time to first
 * frame. Runs nginx-rtmp side by side when installed and prints the ratios.
 *
 * OnAir runs twice per level: as configured by default (it also packages LL-HLS for the stream, work
 * nginx-rtmp's `live on` does not do) and with `--hls off`, the same work as the peer (RTMP in, RTMP out).
 *
 * `--workers 1,2` runs OnAir with each worker count (more than 1 needs DATABASE_URL, a PostgreSQL to use; the
 * server then runs on every core, sharing CPU 1 with the load, and its CPU is summed over the primary and workers).
 *
 *   npm run bench -- [--players 200,500] [--seconds 15] [--warmup 30] [--runs 1] [--peer nginx|none] [--onair default,hls-off] [--workers 1,2]
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sleep } from './lib/children.js';
import { IpcChild } from './lib/ipc-child.js';
import { referenceClip } from './lib/clip.js';
import { cpuBusySeconds, cpuSeconds, processAgeSeconds, treeCpuSeconds, treeRssBytes } from './lib/proc-stats.js';
import { buildOnAir, nginxRtmpAvailable, startNginxRtmp, startOnAir, type BenchServer, type ServerMemory } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    players: { type: 'string', default: '200,500' },
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '30' },
    runs: { type: 'string', default: '1' },
    peer: { type: 'string', default: 'nginx' },
    probes: { type: 'string', default: '5' },
    onair: { type: 'string', default: 'default,hls-off' },
    workers: { type: 'string', default: '1' },
  },
});
const levels = args.players!.split(',').map(Number);
const windowSec = Number(args.seconds);
const warmupSec = Number(args.warmup);
const runs = Number(args.runs);
const workDir = join(root, 'bench/out');

interface Row {
  server: string; players: number; cpuPerGb: number; cpu0PerGb: number; serverCpuPct: number; loadCpuPct: number; rssPerPlayerKb: number;
  /** OnAir only (after a full collection): JS heap and Buffer bytes per player. */
  heapPerPlayerKb: number | null; buffersPerPlayerKb: number | null;
  realtime: number; latencyP50: number | null; latencyP95: number | null; ttffP50: number | null; ttffMax: number | null; gbps: number;
}

type Kind = 'onair' | 'onair-hls-off' | 'nginx';

function startServer(kind: Kind, port: number, workers: number): Promise<BenchServer> {
  if (kind === 'nginx') return startNginxRtmp(0, port, workDir);
  if (workers > 1) {
    // Several processes: no inspector collection (RSS is the tree's as it is), every core.
    const dbUrl = process.env.DATABASE_URL;
    if (!dbUrl) throw new Error('--workers above 1 needs DATABASE_URL (a PostgreSQL the bench may use)');
    const args = ['--workers', String(workers), '--database-url', dbUrl, ...(kind === 'onair' ? [] : ['--hls', 'off'])];
    return startOnAir(0, port, workDir, { args, name: `${kind === 'onair' ? 'onair' : 'onair --hls off'} w${workers}`, cpus: '0,1' });
  }
  // RSS is read after a full collection in the server (through the inspector), so dead buffers do not count.
  return kind === 'onair'
    ? startOnAir(0, port, workDir, { inspectGc: true })
    : startOnAir(0, port, workDir, { args: ['--hls', 'off'], name: 'onair --hls off', inspectGc: true });
}

async function measure(kind: Kind, players: number, port: number, clip: string, workers = 1): Promise<Row> {
  const server = await startServer(kind, port, workers);
  const load = new IpcChild('bench/lib/load-generator.ts', 1);
  try {
    await load.expect('ready');
    await load.ask({ type: 'publish', url: server.rtmpUrl('bench'), clip }, 'published');
    // The publisher alone for as long as the players will get: the stream's own memory (GOP cache, HLS window)
    // reaches its steady size first, so the difference below is the players'.
    await sleep(warmupSec * 1000);
    const before = await settledMemory(server);
    await load.ask({ type: 'players', url: server.rtmpUrl('bench'), count: players, probes: Number(args.probes) }, 'players-ready');
    await sleep(warmupSec * 1000);
    const cpu0 = treeCpuSeconds(server.pid);
    const busy0 = cpuBusySeconds(0);
    const loadCpu0 = cpuSeconds(load.pid);
    await load.ask({ type: 'window-start' }, 'window-started');
    await sleep(windowSec * 1000);
    const w = await load.ask<{ seconds: number; published: number; received: number[]; latencyMs: { p50: number | null; p95: number | null }; ttffMs: number[] }>({ type: 'window-end' }, 'window');
    const cpu = treeCpuSeconds(server.pid) - cpu0;
    const busy = cpuBusySeconds(0) - busy0;
    const loadCpu = cpuSeconds(load.pid) - loadCpu0;
    const after = await settledMemory(server);
    const perPlayerKb = (a: number | undefined, b: number | undefined): number | null => a === undefined || b === undefined ? null : (a - b) / players / 1024;
    const delivered = w.received.reduce((a, b) => a + b, 0);
    const gb = delivered / 1e9;
    const ttff = w.ttffMs;
    await load.ask({ type: 'stop' }, 'stopped');
    return {
      server: server.name, players, cpuPerGb: cpu / gb, cpu0PerGb: busy / gb, serverCpuPct: (100 * cpu) / w.seconds, loadCpuPct: (100 * loadCpu) / w.seconds,
      rssPerPlayerKb: (after.rss - before.rss) / players / 1024,
      heapPerPlayerKb: perPlayerKb(after.inside?.heapUsed, before.inside?.heapUsed),
      buffersPerPlayerKb: perPlayerKb(after.inside?.arrayBuffers, before.inside?.arrayBuffers),
      realtime: w.received.filter((r) => r >= 0.95 * w.published).length,
      latencyP50: w.latencyMs.p50, latencyP95: w.latencyMs.p95,
      ttffP50: ttff.length ? ttff[Math.floor(ttff.length / 2)]! : null, ttffMax: ttff.length ? ttff[ttff.length - 1]! : null,
      gbps: (delivered * 8) / w.seconds / 1e9,
    };
  } finally {
    await server.stop();
  }
}

const START_SETTLE_S = 10;

/**
 * RSS once it stops moving, after a full collection in the server when it offers one (OnAir: the embedded
 * database's start-up buffers, several hundred MB, and whatever media buffers are dead but not yet collected),
 * with the server's own view of its live memory then.
 */
async function settledMemory(server: BenchServer): Promise<{ rss: number; inside?: ServerMemory }> {
  const deadline = Date.now() + 90_000;
  while (processAgeSeconds(server.pid) < START_SETTLE_S) await sleep(1000);
  const inside = await server.collectGarbage?.();
  let last = treeRssBytes(server.pid);
  for (;;) {
    await sleep(2000);
    const now = treeRssBytes(server.pid);
    if (Math.abs(now - last) < 1024 * 1024 || Date.now() > deadline) return inside ? { rss: now, inside } : { rss: now };
    last = now;
  }
}

function median(rows: Row[]): Row {
  const sorted = [...rows].sort((a, b) => a.cpuPerGb - b.cpuPerGb);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const fmt = (v: number | null, d = 2) => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(d));

async function main(): Promise<void> {
  mkdirSync(workDir, { recursive: true });
  console.log('building OnAir (dist/)...');
  buildOnAir();
  const clip = referenceClip(join(workDir, 'media'));
  const variants = new Set(args.onair!.split(','));
  const peers: Kind[] = [...(variants.has('default') ? ['onair' as const] : []), ...(variants.has('hls-off') ? ['onair-hls-off' as const] : [])];
  if (args.peer === 'nginx') {
    if (nginxRtmpAvailable()) peers.push('nginx');
    else console.log('nginx-rtmp not installed (apt-get install nginx libnginx-mod-rtmp): OnAir figures only');
  }
  const results: Row[] = [];
  let port = 21935;
  const workerCounts = args.workers!.split(',').map(Number);
  for (const players of levels) {
    for (const kind of peers) {
      for (const workers of kind === 'nginx' ? [1] : workerCounts) {
        const rows: Row[] = [];
        for (let r = 0; r < runs; r++) {
          rows.push(await measure(kind, players, (port += 10), clip, workers));
          await sleep(1000);
        }
        const row = median(rows);
        results.push(row);
        console.log(JSON.stringify(row));
      }
    }
  }
  console.log('\nread mode: eager in-process players (OnAir RTMP client), server on CPU 0, load on CPU 1');
  console.log('server           players  Gb/s   CPU-s/GB  CPU0-s/GB  srv CPU%  load CPU%  RSS/player KB  heap/buf KB  real-time  lat p50/p95 ms  TTFF p50/max ms');
  for (const r of results) {
    console.log(`${r.server.padEnd(16)} ${String(r.players).padStart(7)}  ${fmt(r.gbps).padStart(5)}  ${fmt(r.cpuPerGb).padStart(8)}  ${fmt(r.cpu0PerGb).padStart(9)}  ${fmt(r.serverCpuPct, 0).padStart(8)}  ${fmt(r.loadCpuPct, 0).padStart(9)}  ${fmt(r.rssPerPlayerKb, 1).padStart(13)}  ${`${fmt(r.heapPerPlayerKb, 1)}/${fmt(r.buffersPerPlayerKb, 1)}`.padStart(11)}  ${`${r.realtime}/${r.players}`.padStart(9)}  ${`${fmt(r.latencyP50, 0)}/${fmt(r.latencyP95, 0)}`.padStart(14)}  ${`${fmt(r.ttffP50, 0)}/${fmt(r.ttffMax, 0)}`.padStart(15)}`);
  }
  for (const players of levels) {
    const b = results.find((r) => r.server === 'nginx-rtmp' && r.players === players);
    for (const a of results.filter((r) => r.server.startsWith('onair') && r.players === players)) {
      if (!b) continue;
      console.log(`ratio ${a.server} / nginx-rtmp at ${players} players: CPU-s/GB ${fmt(a.cpuPerGb / b.cpuPerGb)}x, CPU0-s/GB ${fmt(a.cpu0PerGb / b.cpu0PerGb)}x, RSS/player ${fmt(a.rssPerPlayerKb / b.rssPerPlayerKb)}x`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
