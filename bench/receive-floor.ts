/**
 * The floor under any Node.js ingest: CPU of a Node process that only receives the reference stream and drops
 * it, beside nginx-rtmp ingesting the same stream with HLS on and OnAir with LL-HLS on (BENCHMARKING.md: one
 * process pinned to CPU 0, the publisher on CPU 1, utime + stime over a window after warm-up).
 *
 *   npx tsx bench/receive-floor.ts [--seconds 60] [--warmup 30]
 *
 * The Node sinks get `ffmpeg -re ... -f flv tcp://` (no RTMP to answer); the servers get the same clip over RTMP.
 * It shows how much of a Node server's per-stream cost is the runtime's receive path (event loop wake-up, read,
 * call into JS) before any media work, which is what bounds the per-stream HLS comparison (bench/hls-latency.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuShares } from './lib/proc-stats.js';
import { buildOnAir, nginxHlsApplication, nginxRtmpAvailable, nginxRtmpCommand, waitPort } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const SECONDS = numberArg('seconds', 60);
const WARMUP_MS = numberArg('warmup', 30) * 1000;
const work = mkdtempSync(join(tmpdir(), 'onair-floor-'));

/** A Node TCP sink: 'data' events (what net.Socket users get) or `onread` into one reused buffer. */
const SINK = `
const net = require('node:net');
const mode = process.argv[2];
net.createServer(mode === 'onread' ? { pauseOnConnect: true } : {}, (s) => {
  if (mode !== 'onread') return void s.on('data', () => {});
  const handle = s._handle; s._handle = null;
  new net.Socket({ handle, onread: { buffer: Buffer.allocUnsafe(65536), callback: () => true } }).resume();
}).listen(Number(process.argv[3]), '127.0.0.1');`;

async function measure(name: string, server: ChildProcess, port: number, target: string, clip: string): Promise<number> {
  await waitPort(port);
  const pub = startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimePublishArgs(clip, target)]);
  try {
    await sleep(WARMUP_MS);
    const [share] = await cpuShares([server.pid!], SECONDS);
    const pct = 100 * share!;
    console.log(`${name.padEnd(40)} ${pct.toFixed(2)} % of one core`);
    return pct;
  } finally {
    await stopChild(pub);
    await stopChild(server);
  }
}

async function main(): Promise<void> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  console.log(`receive floor: ${SECONDS} s windows after ${WARMUP_MS / 1000} s warm-up; clip ${clip}`);
  const sinkFile = join(work, 'sink.cjs');
  writeFileSync(sinkFile, SINK);
  await measure('node sink, data events (FLV over TCP)', startChild('taskset', ['-c', '0', process.execPath, sinkFile, 'data', '19391']), 19391, 'tcp://127.0.0.1:19391', clip);
  await measure('node sink, onread (FLV over TCP)', startChild('taskset', ['-c', '0', process.execPath, sinkFile, 'onread', '19392']), 19392, 'tcp://127.0.0.1:19392', clip);
  const data = join(work, 'onair');
  mkdirSync(data);
  await measure('onair (RTMP, LL-HLS on)', startChild('taskset', ['-c', '0', process.execPath, join(root, 'dist/main.js'), '--auth', 'open', '--host', '127.0.0.1',
    '--rtmp-port', '19393', '--http-port', '19394', '--data-dir', data, '--log-level', 'warn', '--srt-port', '0']), 19393, 'rtmp://127.0.0.1:19393/live/floor', clip);
  if (nginxRtmpAvailable()) {
    const dir = join(work, 'nginx');
    const { cmd, args } = nginxRtmpCommand(dir, 19395, 0, nginxHlsApplication(dir));
    await measure('nginx-rtmp (RTMP, hls on)', startChild(cmd, args), 19395, 'rtmp://127.0.0.1:19395/live/floor', clip);
  } else {
    console.log('nginx-rtmp not installed: no peer figure');
  }
}

runBench(main, work);
