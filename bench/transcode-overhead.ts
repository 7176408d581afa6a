/**
 * Transcoding benchmark (issue 5): CPU cost of OnAir running the default ladder on the reference clip
 * (720p30 -> source + 480p + 360p) against the same ffmpeg command run alone, and the time from publish to
 * the first frame of every rendition.
 *
 *   npx tsx bench/transcode-overhead.ts [--seconds 20] [--warmup 30] [--runs 3]
 *
 * Three runs, each publishing the clip in real time with `ffmpeg -re -c copy` (publisher CPU not counted):
 *  A. standalone: the exact argument array OnAir builds, fed the same FLV on stdin, outputs drained;
 *  B. OnAir passthrough: the in-process server with ladder "passthrough" (ingest + hub cost, no transcode);
 *  C. OnAir default ladder: server CPU (this process) + its ffmpeg.
 * Overhead = (C.server - B.server + C.ffmpeg - A.ffmpeg) / A.ffmpeg: what running the ladder inside OnAir
 * costs beyond the ffmpeg command itself. CPU is utime + stime from /proc over a window after warm-up (V8 has
 * optimized the packaging path by then, and libx264's rate control has settled). A, B and C are run `--runs`
 * times in turn; the overhead of each triple is printed and the median is the figure.
 */
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { median, numberArg, sleep, startChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuSeconds } from './lib/proc-stats.js';
import { startTestServer, TEST_API_TOKEN } from '../support/onair.js';
import { buildFfmpegArgs, discoverFfmpeg, planLadder } from '../src/services/transcode/index.js';

const SECONDS = numberArg('seconds', 20);
const WARMUP_MS = numberArg('warmup', 30) * 1000;
const RUNS = numberArg('runs', 3);
const clip = referenceClip(resolve(import.meta.dirname, 'out/media'));

function publisher(target: string): ChildProcess {
  return startChild('ffmpeg', realtimePublishArgs(clip, target),
    target === 'pipe:1' ? ['ignore', 'pipe', 'inherit'] : ['ignore', 'ignore', 'inherit']);
}

async function window<T>(measure: () => T, diff: (a: T, b: T) => T): Promise<T> {
  await sleep(WARMUP_MS);
  const a = measure();
  await sleep(SECONDS * 1000);
  return diff(a, measure());
}

const selfCpu = () => cpuSeconds(process.pid);

async function standalone(ffmpegPath: string): Promise<number> {
  const rungs = planLadder('default', { width: 1280, height: 720, fps: 30 });
  const args = buildFfmpegArgs({ sourceFps: 30, hasAudio: true, rungs, encoder: 'software' });
  const ff = startChild(ffmpegPath, args, ['pipe', 'ignore', 'ignore', ...rungs.map(() => 'pipe' as const)]);
  for (let i = 0; i < rungs.length; i++) (ff.stdio[3 + i] as NodeJS.ReadableStream).resume();
  const pub = publisher('pipe:1');
  pub.stdout!.pipe(ff.stdin!);
  ff.stdin!.on('error', () => {});
  const cpu = await window(() => cpuSeconds(ff.pid!), (a, b) => b - a);
  pub.kill('SIGKILL');
  ff.kill('SIGKILL');
  return cpu;
}

async function onair(ladder: 'passthrough' | 'default'): Promise<{ server: number; ffmpeg: number; firstFrameMs: Record<string, number> }> {
  const server = await startTestServer({ auth: 'keys', 'log-level': 'warn' });
  // The server's own transcode service: a second one would publish the same rendition paths and fight it.
  const transcode = server.transcode;
  const res = await fetch(server.httpUrl('/api/v1/streams'), {
    method: 'POST', headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ settings: { ladder } }),
  });
  const s = (await res.json()) as { streamKey: string; playbackId: string };
  const path = `live/${s.playbackId}`;
  const t0 = performance.now();
  const firstFrameMs: Record<string, number> = {};
  server.hub.events.on('active', (e) => { if (e.path === path) firstFrameMs.source ??= Math.round(performance.now() - t0); });
  transcode.events.on('renditions', (e) => {
    for (const r of e.renditions) if (!r.source) firstFrameMs[r.name] ??= Math.round(performance.now() - t0);
  });
  const pub = publisher(server.rtmpUrl(s.streamKey));
  await sleep(1000);
  const pid = () => transcode.pidOf(path);
  const result = await window(() => ({ server: selfCpu(), ffmpeg: pid() ? cpuSeconds(pid()!) : 0, pidNow: pid() }), (a, b) => ({
    server: b.server - a.server, ffmpeg: b.pidNow === a.pidNow ? b.ffmpeg - a.ffmpeg : NaN, pidNow: b.pidNow,
  }));
  pub.kill('SIGKILL');
  await server.close();
  return { server: result.server, ffmpeg: result.ffmpeg, firstFrameMs };
}

const ffmpeg = await discoverFfmpeg({ configuredPath: '' });
if (!ffmpeg.found) throw new Error('ffmpeg needed');
console.log(`ffmpeg ${ffmpeg.version} at ${ffmpeg.path}; clip ${clip}; window ${SECONDS} s after ${WARMUP_MS / 1000} s warm-up`);
const overheads: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  const a = await standalone(ffmpeg.path);
  console.log(`run ${run} A standalone ffmpeg (default ladder: 480p + 360p): ${a.toFixed(2)} CPU s = ${(a / SECONDS * 100).toFixed(1)} % of a core`);
  const b = await onair('passthrough');
  console.log(`run ${run} B OnAir passthrough: server ${b.server.toFixed(2)} CPU s`);
  const c = await onair('default');
  console.log(`run ${run} C OnAir default ladder: server ${c.server.toFixed(2)} CPU s, its ffmpeg ${c.ffmpeg.toFixed(2)} CPU s`);
  const overhead = (c.server - b.server + c.ffmpeg - a) / a;
  overheads.push(overhead);
  console.log(`run ${run} overhead of OnAir over the ffmpeg command alone: ${(overhead * 100).toFixed(1)} % (server delta ${(c.server - b.server).toFixed(2)} s, ffmpeg delta ${(c.ffmpeg - a).toFixed(2)} s)`);
  console.log(`run ${run} time from publisher start to first frame: ${JSON.stringify(c.firstFrameMs)} ms`);
}
console.log(`overhead per run: ${overheads.map((o) => `${(o * 100).toFixed(1)} %`).join(', ')}; median ${(median(overheads) * 100).toFixed(1)} %`);
process.exit(0);
