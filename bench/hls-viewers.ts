/**
 * Viewer load benchmark (issue 17, "Playback at scale"): N simulated viewers of one live stream, classic HLS
 * segment polling, LL-HLS like hls.js (blocking reload + every part) or HTTP-FLV, against OnAir and against
 * nginx-rtmp `hls on` with nginx serving the files (segments; for HTTP-FLV the peers are the same number of RTMP
 * players on OnAir and on nginx-rtmp). Each server is started fresh, pinned to CPU 0; the publisher (ffmpeg, the
 * reference clip in real time) and the one-process load client (bench/lib/http-viewers.ts) run on CPU 1.
 * Per server and level: server CPU % of a core and CPU-s per GB delivered over a window after warm-up, requests/s,
 * viewers keeping up (>= 90 % of the stream's media bytes), the client's own CPU, LL-HLS part delivery lag, and
 * the ratios. `--unknown-ids R` adds a side load of R requests/s for unknown playback ids and reports /healthz
 * latency meanwhile (`--viewers 0` for the side load alone).
 *
 *   npx tsx bench/hls-viewers.ts [--mode segments|llhls|flv] [--viewers 100,500,1000] [--seconds 30] [--warmup 15]
 *     [--ramp S] [--runs 1] [--format fmp4|ts] [--peer nginx|none] [--unknown-ids R] [--preload-hints] [--no-skip]
 *     [--onair-args "--flag value ..."] [--port 23000]
 *     [--bare-node] [--bare-net] [--onair-behind-cache] [--workers 1,2]
 *
 * Segments mode can add two servers (bench/lib/segment-floor-servers.ts): `--bare-node`, a minimal node:http server
 * serving OnAir's own playlist and segment bytes from memory (mirrored from an unmeasured OnAir on the load core):
 * how low Node itself goes for this load; `--onair-behind-cache`, OnAir behind README's nginx proxy_cache block,
 * the CPU of nginx and OnAir together per GB the viewers got from nginx; `--bare-net`, the bare server's bytes served
 * over node:net with HTTP/1.1 written by hand (bare-node-hls.ts --lean): the floor below node:http that OnAir's lean
 * HTTP front (src/servers/http/lean) aims at.
 *
 * `--workers 1,2` (with DATABASE_URL, a PostgreSQL the bench may use) runs OnAir once per worker count, `--workers N
 * --database-url $DATABASE_URL` (1: one process on PostgreSQL too, so only the worker count differs); above 1 it
 * runs on every core, sharing CPU 1 with the publisher and the load client, and its CPU is summed over the primary
 * and its workers (bench/rtmp-fanout.ts does the same). The peers run once.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ViewerMode } from './lib/http/viewers-protocol.js';
import { runBench, sleep, startChild, stopChild } from './lib/children.js';
import { clipBytesPerSecond, realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuBusySeconds, cpuSeconds, processTree, rssBytes } from './lib/proc-stats.js';
import { buildOnAir, nginxRtmpAvailable, type BenchServer } from './lib/servers.js';
import { contendersFor, STREAM, type Contender } from './lib/viewer-contenders.js';
import { HttpViewerClient, RtmpPlayerClient, type LoadClient } from './lib/viewer-load-clients.js';
import { printRatios, printRows, type ViewerRow } from './lib/viewers-report.js';

const root = resolve(import.meta.dirname, '..');
/**
 * Servers' data, nginx-rtmp's fragments and the nginx cache (kept out of the source tree, where tsc would read the
 * `.ts` files), on tmpfs when there is one: every contender's files in memory alike, as a cache or HLS directory
 * on a busy server would be, so no contender pays a filesystem's journal.
 */
const workDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'onair-viewers-'));
const SERVER_CPU = 0;
const LOAD_CPU = 1;
/** Viewers started per second during the ramp (a crowd arriving, not a thundering herd); at least MIN_RAMP_S. */
const RAMP_VIEWERS_PER_S = 100;
const MIN_RAMP_S = 2;
/** How long a fresh server may take to have the stream playable (first segment after the first keyframes). */
const READY_TIMEOUT_MS = 30_000;
/**
 * Segment viewers receive whole 2 s segments, so a window holds a whole number of them and one segment received just
 * after the window's end is a window's worth of bytes short: over 30 s (15 segments) that is 7 %, within the 10 %
 * keeping up allows; over 20 s it is 10 % and a viewer a moment late reads as falling behind.
 */
const MIN_SEGMENT_WINDOW_S = 30;

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'segments' },
    viewers: { type: 'string', default: '100,500,1000' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '15' },
    ramp: { type: 'string' },
    runs: { type: 'string', default: '1' },
    format: { type: 'string', default: 'fmp4' },
    peer: { type: 'string', default: 'nginx' },
    'unknown-ids': { type: 'string', default: '0' },
    'preload-hints': { type: 'boolean', default: false },
    'no-skip': { type: 'boolean', default: false },
    'onair-args': { type: 'string', default: '' },
    'bare-node': { type: 'boolean', default: false },
    'bare-net': { type: 'boolean', default: false },
    'onair-behind-cache': { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    // A shared machine may run another bench at the same time: give each its own port range.
    port: { type: 'string', default: '23000' },
  },
});
const MODE = args.mode as ViewerMode;
if (!['segments', 'llhls', 'flv'].includes(MODE)) throw new Error(`--mode segments|llhls|flv, not ${MODE}`);
const LEVELS = args.viewers!.split(',').map(Number);
const WINDOW_S = Number(args.seconds);
const WARMUP_S = Number(args.warmup);
const RUNS = Number(args.runs);
const UNKNOWN_IDS = Number(args['unknown-ids']);
const rampSeconds = (viewers: number): number => (args.ramp !== undefined ? Number(args.ramp) : Math.max(MIN_RAMP_S, viewers / RAMP_VIEWERS_PER_S));

async function waitHttp(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await fetch(url).catch(() => undefined))?.ok) return;
    await sleep(200);
  }
  throw new Error(`${url} never answered 200`);
}

function loadClient(c: Contender, server: BenchServer, port: number, viewers: number, clipRate: number): LoadClient {
  if (c.client === 'rtmp') return new RtmpPlayerClient(LOAD_CPU, server.rtmpUrl(STREAM), viewers, clipRate);
  return new HttpViewerClient(LOAD_CPU, {
    host: '127.0.0.1', port: port + 1, mode: MODE, path: c.paths.viewer, viewers, rampMs: rampSeconds(viewers) * 1000,
    skip: !args['no-skip'], preloadHints: args['preload-hints']!, referenceBytesPerSec: clipRate,
    ...(UNKNOWN_IDS > 0 ? { unknownIds: { rate: UNKNOWN_IDS, unknownIdPath: c.paths.unknownId, healthzPath: c.paths.healthz } } : {}),
  });
}

/** One fresh server, publisher and load client; the server's and the client's CPU over one window after warm-up. */
async function measureOnce(c: Contender & { tree?: boolean }, viewers: number, port: number, clip: string): Promise<ViewerRow> {
  const server = await c.start(SERVER_CPU, port, LOAD_CPU);
  const publisher = startChild('taskset', ['-c', String(LOAD_CPU), 'ffmpeg', ...realtimePublishArgs(clip, server.rtmpUrl(STREAM))]);
  let client: LoadClient | undefined;
  try {
    await waitHttp(`http://127.0.0.1:${port + 1}${c.paths.ready}`);
    client = loadClient(c, server, port, viewers, clipBytesPerSecond(clip));
    await client.start();
    await sleep(WARMUP_S * 1000);
    // A server of several processes (OnAir behind a cache, a --workers primary and its workers) counts all of them.
    const pids = server.pids ?? (c.tree ? processTree(server.pid) : [server.pid]);
    const [each0, busy0, client0, t0] = [pids.map(cpuSeconds), cpuBusySeconds(SERVER_CPU), cpuSeconds(client.pid), Date.now()];
    const w = await client.window(WINDOW_S);
    const elapsed = (Date.now() - t0) / 1000;
    const each = pids.map((pid, i) => cpuSeconds(pid) - each0[i]!);
    const srv = each.reduce((a, b) => a + b, 0);
    return {
      server: c.name, subject: c.subject, mode: MODE, viewers, seconds: w.seconds,
      serverCpuPct: (100 * srv) / elapsed, ...(pids.length > 1 ? { processCpuPct: each.map((s) => (100 * s) / elapsed) } : {}),
      cpu0BusyPct: (100 * (cpuBusySeconds(SERVER_CPU) - busy0)) / elapsed,
      gbps: (w.deliveredBytes * 8) / w.seconds / 1e9, cpuPerGb: srv / (w.deliveredBytes / 1e9),
      reqPerSec: w.requests === null ? null : w.requests / w.seconds, keptUp: w.keptUp,
      clientCpuPct: (100 * (cpuSeconds(client.pid) - client0)) / elapsed, clientLoopP99Ms: w.http?.clientLoopDelayMs.p99 ?? null,
      partLagMs: w.http && MODE === 'llhls' ? w.http.partLagMs : null, errors: w.http?.errors ?? {}, rssMb: pids.reduce((sum, pid) => sum + rssBytes(pid), 0) / 1e6,
      ...(w.http?.side ? { side: w.http.side } : {}),
    };
  } finally {
    await client?.stop();
    await stopChild(publisher);
    await server.stop();
  }
}

/** `--workers`: OnAir's flags for N workers (every count on PostgreSQL when more than one is compared). */
function workerArgs(n: number): string[] {
  if (args.workers === '1') return [];
  const dbUrl = process.env.DATABASE_URL;
  if (!dbUrl) throw new Error('--workers needs DATABASE_URL (a PostgreSQL the bench may use)');
  return ['--workers', String(n), '--database-url', dbUrl];
}

/** An OnAir contender (not OnAir behind the nginx cache, a system of its own). */
const isOnAir = (c: Contender): boolean => c.name.startsWith('onair') && !c.name.includes('+nginx cache');

/**
 * The contenders for the first worker count, then OnAir's alone for each further count (the peers run once);
 * `tree`: CPU and memory summed over the process and its descendants (a primary and its workers).
 */
function withWorkers(counts: readonly number[], make: (n: number) => Contender[]): (Contender & { tree?: boolean })[] {
  return counts.flatMap((n, i) => make(n).filter((c) => i === 0 || isOnAir(c)).map((c) => (n > 1 && isOnAir(c) ? { ...c, tree: true } : c)));
}

/** The median run by CPU-s/GB (by CPU % when nothing was delivered: the side load alone). */
function medianRun(runs: readonly ViewerRow[]): ViewerRow {
  const key = (r: ViewerRow): number => (r.viewers > 0 ? r.cpuPerGb : r.serverCpuPct);
  return [...runs].sort((a, b) => key(a) - key(b))[Math.floor(runs.length / 2)]!;
}

async function main(): Promise<void> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  const peer = args.peer === 'nginx';
  if (peer && !nginxRtmpAvailable()) console.log('nginx-rtmp not installed (apt-get install nginx libnginx-mod-rtmp): OnAir figures only');
  const contenders = withWorkers(args.workers!.split(',').map(Number), (n) => contendersFor(MODE, {
    workDir, format: args.format === 'ts' ? 'ts' : 'fmp4', peer, onairArgs: [...args['onair-args']!.split(' ').filter(Boolean), ...workerArgs(n)],
    bareNode: args['bare-node']!, bareNet: args['bare-net']!, behindCache: args['onair-behind-cache']!,
    ...(n > 1 ? { onairCpus: `${SERVER_CPU},${LOAD_CPU}` } : {}), ...(args.workers !== '1' ? { onairSuffix: ` w${n}` } : {}),
  }));
  if ((args['bare-node'] || args['onair-behind-cache']) && MODE !== 'segments') throw new Error('--bare-node and --onair-behind-cache are segments-mode servers');
  console.log(`viewer bench: mode ${MODE}, viewers ${LEVELS.join(',')}, ${WINDOW_S} s window after ${WARMUP_S} s warm-up, ${RUNS} run(s); ` +
    `server on CPU ${SERVER_CPU}, publisher + load client on CPU ${LOAD_CPU}; eager readers (HTTP/1.1 keep-alive, one connection per viewer)`);
  if (MODE === 'segments' && WINDOW_S < MIN_SEGMENT_WINDOW_S) {
    console.log(`note: a window under ${MIN_SEGMENT_WINDOW_S} s counts a segment viewer one segment late as not keeping up`);
  }
  const rows: ViewerRow[] = [];
  let port = Number(args.port);
  for (const viewers of LEVELS) {
    for (const c of contenders) {
      if (viewers === 0 && c.client === 'rtmp') continue;
      const runs: ViewerRow[] = [];
      for (let r = 0; r < RUNS; r++) {
        runs.push(await measureOnce(c, viewers, (port += 10), clip));
        console.log(JSON.stringify(runs[runs.length - 1]));
      }
      rows.push(medianRun(runs));
    }
  }
  printRows(rows);
  printRatios(rows);
}

runBench(main, workDir);
