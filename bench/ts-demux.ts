/**
 * MPEG-TS ingest throughput: the reference clip (720p30 H.264 + AAC, ~2.7 Mb/s) remuxed to MPEG-TS by ffmpeg,
 * then pushed in SRT-sized pieces (1316 bytes) through
 *   1. TsDemuxer alone (packets -> PES -> AVCC frames / raw AAC),
 *   2. createMpegTsIngest into a hub (the whole SRT ingest path after the transport: MediaPackets, GOP cache),
 * and, when ffmpeg is installed, ffmpeg reading the same file with `-c copy -f null` (its demuxer and
 * parsers, no muxing: the like-for-like peer) and `-c copy -f mpegts` (a full remux), CPU from -benchmark. Prints MB/s, CPU seconds per hour of a 2.7 Mb/s stream and
 * the ratio to ffmpeg; median of `runs`. On a shared machine the figures are indicative only.
 *
 *   npx tsx bench/ts-demux.ts [loops=10] [runs=3]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { createMpegTsIngest } from '../src/bridges/mpegts/index.js';
import { TsDemuxer } from '../src/formats/mpegts/index.js';
import { StreamHub } from '../src/hub/index.js';
import { referenceClip } from './lib/clip.js';

const root = resolve(import.meta.dirname, '..');
const loops = Number(process.argv[2] ?? 10);
const runs = Number(process.argv[3] ?? 3);
const outDir = join(root, 'bench/out/media');
const flv = referenceClip(outDir);
// Not '.ts': tsc would take it for TypeScript (bench/ is in tsconfig's include).
const tsFile = join(outDir, 'clip720.mpegts');
if (!existsSync(tsFile)) execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', flv, '-c', 'copy', '-f', 'mpegts', tsFile]);
const ts = readFileSync(tsFile);
const pieces: Buffer[] = [];
for (let at = 0; at < ts.length; at += 1316) pieces.push(ts.subarray(at, at + 1316));

/** Bytes of one hour of a 2.7 Mb/s stream. */
const HOUR_BYTES = (2.7e6 / 8) * 3600;

function cpuSecondsOf(fn: () => void): { cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, wall: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function demuxOnly(): void {
  for (let l = 0; l < loops; l++) {
    const d = new TsDemuxer();
    let frames = 0;
    for (const p of pieces) for (const e of d.push(p)) if (e.type === 'frame') frames++;
    if (frames === 0) throw new Error('no frames');
  }
}

function ingestIntoHub(): void {
  const hub = new StreamHub({ gop: { maxBytes: 64 << 20, maxMs: 60_000 }, subscriber: { budgetBytes: 1 << 24, slowTimeoutMs: 60_000 }, takeover: 'takeover' }, pino({ level: 'silent' }));
  for (let l = 0; l < loops; l++) {
    const ingest = createMpegTsIngest(hub.publish('live/bench', { protocol: 'srt', remoteAddress: 'bench' }), pino({ level: 'silent' }));
    for (const p of pieces) ingest.push(p);
    ingest.close('loop done');
  }
}

/**
 * ffmpeg's user+system CPU (from -benchmark) for reading the file `loops` times, stream-copied to `format`:
 * 'null' (demuxer and parsers only, the work TsDemuxer does) or 'mpegts' (a full remux, written to /dev/null).
 */
function ffmpegCpu(format: 'null' | 'mpegts'): number | undefined {
  const out = format === 'null' ? '-' : '/dev/null';
  const r = spawnSync('ffmpeg', ['-hide_banner', '-benchmark', '-y', '-stream_loop', String(loops - 1), '-i', tsFile, '-c', 'copy', '-f', format, out], { encoding: 'utf8' });
  const m = /utime=([\d.]+)s stime=([\d.]+)s/.exec(r.stderr ?? '');
  return m ? Number(m[1]) + Number(m[2]) : undefined;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bytes = ts.length * loops;
const mb = bytes / 1e6;
demuxOnly(); // warm-up: JIT
const demux = median(Array.from({ length: runs }, () => cpuSecondsOf(demuxOnly).cpu));
const ingest = median(Array.from({ length: runs }, () => cpuSecondsOf(ingestIntoHub).cpu));
const peer = (format: 'null' | 'mpegts'): number | undefined => {
  const xs = Array.from({ length: runs }, () => ffmpegCpu(format)).filter((x): x is number => x !== undefined);
  return xs.length > 0 ? median(xs) : undefined;
};
const ff = peer('null');
const remux = peer('mpegts');

const row = (name: string, cpu: number) => `${name.padEnd(34)} ${(mb / cpu).toFixed(1).padStart(8)} MB/s  ${((cpu / bytes) * HOUR_BYTES).toFixed(2).padStart(7)} CPU-s/hour of 2.7 Mb/s${ff ? `  ${(cpu / ff).toFixed(2)}x ffmpeg's CPU` : ''}`;
console.log(`MPEG-TS input: ${(ts.length / 1e6).toFixed(1)} MB (${(ts.length * 8 / 30 / 1e6).toFixed(2)} Mb/s over 30 s) x ${loops} loops, median of ${runs} runs`);
console.log(row('TsDemuxer (frames out)', demux));
console.log(row('createMpegTsIngest -> hub', ingest));
if (ff !== undefined) console.log(row('ffmpeg -c copy -f null (peer)', ff));
else console.log('ffmpeg not found: no peer figure');
if (remux !== undefined) console.log(row('ffmpeg -c copy -f mpegts (remux)', remux));
