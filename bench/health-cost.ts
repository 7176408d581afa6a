/**
 * What ingest health monitoring costs (issue 18's budget: <= 2 % of the server's CPU with 10 live streams).
 *
 *   npx tsx bench/health-cost.ts [--streams 10] [--seconds 30] [--cpu-warmup 120] [--cpu-runs 5] [--scrape 15] [--micro 1]
 *                                [--control 1] [--pipeline 7]
 *
 * Server: two OnAir builds from dist/, one as it ships (health on) and one with `--health off`, both pinned to CPU 0
 * and ingesting `--streams` copies of the reference clip (720p30 ~2.7 Mb/s, ffmpeg -c copy from CPU 1) at the same
 * time, HLS on, no players (so merged reads batch every publisher, the cheapest ingest mode and the one where a fixed
 * per-packet cost weighs most); /metrics scraped every `--scrape` seconds on both. CPU of each (its threads' run
 * time) over the same `--cpu-runs` windows after warm-up, the on/off ratio per window and the median.
 * Micro: the hub alone in this process, the same packets pushed through a stream with and without health, ns per
 * packet (alternating runs, median), one packet per callback (a player watching: every message read at once) and
 * ten (a merged read), and one evaluation's cost.
 * Pipeline: bench/ingest-pipeline.ts (RTMP session, FLV, hub, LL-HLS packager over the reference clip, as fast as it
 * goes) with and without health, `--pipeline` alternating pairs: CPU ms per second of media and heap bytes allocated
 * per message. Compute-bound in one process, so much steadier than live windows on a busy machine; it leaves out the
 * once-a-second evaluation, which the micro figure gives.
 * On a shared machine the server figures are indicative: windows drift by more than the difference measured.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { median, numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuShares } from './lib/proc-stats.js';
import { buildOnAir, startOnAir, waitPort, type BenchServer } from './lib/servers.js';
import { StreamHub } from '../src/hub/index.js';
import type { MediaPacket } from '../src/core/media-packet.js';
import type { SubscriberSink } from '../src/hub/types.js';

const root = resolve(import.meta.dirname, '..');
const STREAMS = numberArg('streams', 10);
const SECONDS = numberArg('seconds', 30);
const CPU_WARMUP_MS = numberArg('cpu-warmup', 120) * 1000;
const CPU_RUNS = numberArg('cpu-runs', 5);
const SCRAPE_MS = numberArg('scrape', 15) * 1000;
const MICRO = numberArg('micro', 1) !== 0;
const PIPELINE_PAIRS = numberArg('pipeline', 7);
const work = mkdtempSync(join(tmpdir(), 'onair-health-bench-'));

const CONTROL = numberArg('control', 1) !== 0;
/**
 * The second `health off` server is a control: two identical servers in the same windows still differ by a few
 * percent (their own GC and timer phases), and control/off shows how much of on/off is that noise.
 */
const VARIANTS = [
  { name: 'health on', args: [] as string[] },
  { name: 'health off', args: ['--health', 'off'] },
  ...(CONTROL ? [{ name: 'control (off)', args: ['--health', 'off'] }] : []),
];

async function serverCpu(): Promise<void> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  const ports = VARIANTS.map((_, i) => 19470 + 100 * i);
  const servers: BenchServer[] = [];
  const pubs: ReturnType<typeof startChild>[] = [];
  let scraper: NodeJS.Timeout | undefined;
  try {
    for (const [i, v] of VARIANTS.entries()) servers.push(await startOnAir(0, ports[i]!, work, { name: v.name, args: v.args, startTimeoutMs: 180_000 }));
    for (const s of servers) {
      for (let i = 0; i < STREAMS; i++) pubs.push(startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimePublishArgs(clip, s.rtmpUrl(`s${i}`))]));
    }
    scraper = setInterval(() => {
      for (const p of ports) void fetch(`http://127.0.0.1:${p + 1}/metrics`).then((r) => r.text()).catch(() => {});
    }, SCRAPE_MS);
    for (const p of ports) await waitPort(p + 1, 180_000);
    console.log(`server: ${STREAMS} streams per server, ${CPU_WARMUP_MS / 1000} s warm-up, ${CPU_RUNS} windows of ${SECONDS} s, /metrics every ${SCRAPE_MS / 1000} s`);
    await sleep(CPU_WARMUP_MS);
    const ratios: number[] = [];
    const controls: number[] = [];
    const runs = servers.map(() => [] as number[]);
    for (let w = 0; w < CPU_RUNS; w++) {
      const shares = await cpuShares(servers.map((s) => s.pid), SECONDS);
      shares.forEach((x, i) => runs[i]!.push(x));
      ratios.push(shares[0]! / shares[1]!);
      if (CONTROL) controls.push(shares[2]! / shares[1]!);
      console.log(`window ${w + 1}: ${servers.map((s, i) => `${s.name} ${(shares[i]! * 100).toFixed(2)} %`).join('  ')}  on/off ${ratios[w]!.toFixed(3)}x${CONTROL ? `  control/off ${controls[w]!.toFixed(3)}x` : ''}`);
    }
    servers.forEach((s, i) => console.log(`${s.name.padEnd(13)} median ${(median(runs[i]!) * 100).toFixed(2)} % of one core for ${STREAMS} streams`));
    const r = median(ratios);
    console.log(`CPU health on / off (median of ${ratios.length} same-window ratios): ${r.toFixed(3)}x (${((r - 1) * 100).toFixed(1)} %; budget 2 %)`);
    if (CONTROL) console.log(`CPU control / off, two identical servers (the noise floor): ${median(controls).toFixed(3)}x, per window ${controls.map((c) => c.toFixed(3)).join(' ')}`);
  } finally {
    clearInterval(scraper);
    for (const p of pubs) await stopChild(p);
    for (const s of servers) await s.stop();
  }
}

/** 30 fps video (8 KB frames, keyframe every 60) and 47 AAC frames a second, dts in ms, `seconds` of media. */
function packets(seconds: number): MediaPacket[] {
  const out: MediaPacket[] = [];
  const video = Buffer.alloc(8192);
  const audio = Buffer.alloc(256);
  for (let i = 0; i < seconds * 30; i++) {
    out.push({ kind: 'video', codec: 'avc1', role: 'frame', dts: Math.round((i * 1000) / 30), cts: 0, keyframe: i % 60 === 0, data: video });
    const a0 = Math.ceil((i * 1000) / 30 / (1024000 / 48000));
    const a1 = Math.ceil(((i + 1) * 1000) / 30 / (1024000 / 48000));
    for (let j = a0; j < a1; j++) out.push({ kind: 'audio', codec: 'mp4a', role: 'frame', dts: Math.round((j * 1024000) / 48000), cts: 0, keyframe: true, data: audio });
  }
  return out;
}

const NULL_SINK: SubscriberSink = {
  pendingBytes: 0, onMetadata: () => {}, onPacket: () => {}, onPublisherEnd: () => {}, onPublisherStart: () => {}, onClose: () => {},
};

/** Pushes `media` in callbacks of `batch` packets (what one socket read delivers), a macrotask turn between them. */
async function microRun(health: boolean, media: readonly MediaPacket[], batch: number): Promise<{ nsPerPacket: number; evaluateUs: number }> {
  const log = pino({ level: 'silent' });
  const hub = new StreamHub({
    gop: { maxBytes: 16 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 4 << 20, slowTimeoutMs: 30_000 }, takeover: 'takeover',
    ...(health ? { health: { stallMs: 2000, keyframeIntervalMaxMs: 4000, bitrateDropPct: 50, fpsTolerancePct: 15, avDesyncMs: 500, driftMs: 1000 } } : {}),
  }, log);
  const pub = hub.publish('live/micro', { protocol: 'rtmp', remoteAddress: '127.0.0.1' });
  hub.subscribe('live/micro', { protocol: 'hls', remoteAddress: 'internal' }, NULL_SINK);
  let ns = 0;
  for (let i = 0; i < media.length;) {
    const t0 = process.hrtime.bigint();
    for (const end = Math.min(media.length, i + batch); i < end; i++) pub.push(media[i]!);
    ns += Number(process.hrtime.bigint() - t0);
    await new Promise((r) => setImmediate(r));
  }
  const stream = hub.stream('live/micro')!;
  const e0 = process.hrtime.bigint();
  for (let i = 0; i < 1000; i++) stream.health?.evaluate();
  const evaluateNs = Number(process.hrtime.bigint() - e0) / 1000;
  hub.close();
  return { nsPerPacket: ns / media.length, evaluateUs: evaluateNs / 1000 };
}

async function micro(): Promise<void> {
  const media = packets(120);
  for (const batch of [1, 10]) {
    for (let i = 0; i < 3; i++) {
      await microRun(true, media, batch);
      await microRun(false, media, batch);
    }
    const on: number[] = [];
    const off: number[] = [];
    const added: number[] = [];
    const evaluations: number[] = [];
    for (let i = 0; i < 15; i++) {
      const a = await microRun(true, media, batch);
      const b = await microRun(false, media, batch);
      on.push(a.nsPerPacket);
      off.push(b.nsPerPacket);
      added.push(a.nsPerPacket - b.nsPerPacket);
      evaluations.push(a.evaluateUs);
    }
    // Each pair ran back to back: the median of the differences is steadier than the difference of the medians.
    console.log(`micro, ${batch} packet(s) per callback: hub push per packet (one subscriber) health on ${median(on).toFixed(0)} ns, off ${median(off).toFixed(0)} ns; health adds ${median(added).toFixed(0)} ns per packet (median of ${added.length} paired runs); one evaluation ${median(evaluations).toFixed(1)} us`);
  }
}

/** One ingest-pipeline run: CPU ms per second of media and heap bytes allocated per message. */
async function pipelineRun(health: boolean): Promise<{ cpuMs: number; bytes: number }> {
  const child = startChild(process.execPath, ['--import', 'tsx', join(root, 'bench/ingest-pipeline.ts'), '20', 'hls', ...(health ? ['health'] : [])], ['ignore', 'pipe', 'inherit']);
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  await new Promise((r) => child.once('exit', r));
  const cpu = /=> ([\d.]+) ms CPU per second of media/.exec(out);
  const heap = /JS heap allocated: (-?\d+) bytes per RTMP message/.exec(out);
  if (!cpu || !heap) throw new Error(`ingest-pipeline printed no figures: ${out}`);
  return { cpuMs: Number(cpu[1]), bytes: Number(heap[1]) };
}

async function pipeline(): Promise<void> {
  const on: number[] = [];
  const off: number[] = [];
  const ratios: number[] = [];
  const bytesOn: number[] = [];
  const bytesOff: number[] = [];
  for (let i = 0; i < PIPELINE_PAIRS; i++) {
    const a = await pipelineRun(true);
    const b = await pipelineRun(false);
    on.push(a.cpuMs);
    off.push(b.cpuMs);
    ratios.push(a.cpuMs / b.cpuMs);
    bytesOn.push(a.bytes);
    bytesOff.push(b.bytes);
  }
  const r = median(ratios);
  console.log(`pipeline (ingest + LL-HLS, ${PIPELINE_PAIRS} alternating pairs): health on ${median(on).toFixed(3)} ms CPU per media second, off ${median(off).toFixed(3)}; on/off ${r.toFixed(3)}x (${((r - 1) * 100).toFixed(1)} %), per pair ${ratios.map((x) => x.toFixed(3)).join(' ')}`);
  console.log(`pipeline: heap allocated per message ${median(bytesOn)} bytes with health, ${median(bytesOff)} without`);
}

runBench(async () => {
  if (MICRO) await micro();
  if (PIPELINE_PAIRS > 0) await pipeline();
  if (CPU_RUNS > 0) await serverCpu();
}, work);
