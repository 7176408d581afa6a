/**
 * What ingest health costs per media message, in-process, fed the real FLV tags of the reference clip (720p30 H.264
 * 2.5 Mb/s + AAC, bench/lib/clip.ts):
 *
 *   npx tsx bench/health-frame.ts [--streams 10] [--seconds 120] [--read-ms 100] [--runs 9]
 *
 * `--streams` StreamHealth objects, as the hub keeps one per live stream, each get the clip's packets (looped, its
 * timestamps carried on) in reads of `--read-ms` of media (LL-HLS holds a publisher's socket ~100 ms; merged reads
 * up to 200 ms), the streams' reads interleaved; each read is marked (`received`, as the RTMP bridge does) and its
 * messages handed over as the hub does (`frame` with the fields the hub already read, `record` for configs). The
 * arrival clock is the server's (performance.now), so clock readings cost what they cost in the server; media
 * runs faster than real time (a third variant has a clock that costs nothing: the difference is the clock's). A baseline loop walks the same packets reading the same fields and calls nothing:
 * health's cost is the difference, per message (the median over `--runs` alternating runs). Also printed: arrival
 * clock readings per 1000 messages (counted in a separate pass, so counting costs nothing above), and heap bytes
 * allocated per message (with minus without, over runs no collection interrupted).
 * Only the per-message path: the once-a-second evaluation is in bench/health-micro.ts.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MediaPacket } from '../src/core/media-packet.js';
import { FlvReader, parseAudioTagBody, parseVideoTagBody } from '../src/formats/flv/index.js';
import { StreamHealth, performanceClocks, type ClockSource, type HealthThresholds } from '../src/hub/health/index.js';
import type { Publisher } from '../src/hub/publisher.js';
import { median, numberArg } from './lib/children.js';
import { referenceClip } from './lib/clip.js';

const root = resolve(import.meta.dirname, '..');
const THRESHOLDS: HealthThresholds = { stallMs: 2000, keyframeIntervalMaxMs: 4000, bitrateDropPct: 50, fpsTolerancePct: 15, avDesyncMs: 500, driftMs: 1000 };

/** The clip's packets, looped to `seconds` of media, timestamps carried on (one array shared by every stream). */
function clipPackets(seconds: number): MediaPacket[] {
  const tags = new FlvReader().push(readFileSync(referenceClip(join(root, 'bench/out/media')))).tags;
  const one: MediaPacket[] = [];
  for (const t of tags) {
    if (t.typeId === 9) one.push(...parseVideoTagBody(t.body, t.timestamp));
    else if (t.typeId === 8) one.push(...parseAudioTagBody(t.body, t.timestamp));
  }
  const length = Math.max(...one.map((p) => p.dts)) + 34;
  const out: MediaPacket[] = [];
  for (let loop = 0; loop * length < seconds * 1000; loop++) {
    for (const p of one) {
      // Configs only once, at the start, as a publisher sends them.
      if (loop > 0 && p.role === 'config') continue;
      out.push({ ...p, dts: p.dts + loop * length });
    }
  }
  return out;
}

/** Index ranges of the packets of each read: [start, end) per read of `readMs` of media. */
function reads(packets: readonly MediaPacket[], readMs: number): number[] {
  const bounds = [0];
  let until = readMs;
  for (let i = 0; i < packets.length; i++) {
    if (packets[i]!.dts >= until) {
      bounds.push(i);
      until += readMs;
    }
  }
  bounds.push(packets.length);
  return bounds;
}

let sink = 0;

/** Heap bytes the last run allocated while feeding (negative: a collection ran in between, no reading). */
let lastHeapBytes = 0;

/** One run over every stream: ns in total. `clocks` undefined: the baseline (the same loop, nothing called). */
function run(packets: readonly MediaPacket[], bounds: readonly number[], streams: number, clocks: ClockSource | undefined): number {
  const healths = clocks ? Array.from({ length: streams }, () => new StreamHealth(THRESHOLDS, clocks)) : [];
  for (const h of healths) h.start({} as Publisher);
  const heap0 = process.memoryUsage().heapUsed;
  // The baseline's work goes into a small integer (a Smi: no heap number per message), kept so it is not optimized away.
  let acc = 0;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r + 1 < bounds.length; r++) {
    for (let s = 0; s < streams; s++) {
      const h = healths[s];
      h?.received();
      for (let i = bounds[r]!; i < bounds[r + 1]!; i++) {
        const p = packets[i]!;
        const bytes = p.data.length;
        if (p.role === 'frame') {
          const video = p.kind === 'video';
          const keyframe = p.keyframe;
          if (h !== undefined) h.frame(p, video, p.dts, bytes, keyframe);
          else acc = (acc + (video ? bytes : keyframe ? 1 : 0)) | 0;
        } else if (h !== undefined) h.record(p);
        else acc = (acc + 1) | 0;
      }
    }
  }
  const ns = Number(process.hrtime.bigint() - t0);
  sink ^= acc;
  lastHeapBytes = process.memoryUsage().heapUsed - heap0;
  return ns;
}

export interface FrameFigures {
  readonly nsPerMessage: number;
  /** The same with an arrival clock that costs nothing (a counter): the difference is what the clock readings cost. */
  readonly nsFreeClock: number;
  readonly baseNs: number;
  readonly clockReadsPer1000: number;
  readonly messages: number;
  /** Heap bytes health allocated per message (with minus without, runs without a collection); null: none such. */
  readonly bytesPerMessage: number | null;
}

export function healthFrame(opts: { streams: number; seconds: number; readMs: number; runs: number }): FrameFigures {
  const packets = clipPackets(opts.seconds);
  const bounds = reads(packets, opts.readMs);
  const messages = packets.length * opts.streams;
  let clockReads = 0;
  const counting: ClockSource = () => {
    const c = performanceClocks();
    return () => (clockReads++, c());
  };
  run(packets, bounds, opts.streams, counting);
  const added: number[] = [];
  const addedFree: number[] = [];
  const base: number[] = [];
  let ticks = 0;
  const free: ClockSource = () => () => (ticks = (ticks + 1) & 0xffffff) >> 4;
  const heapWith: number[] = [];
  const heapWithout: number[] = [];
  for (let i = 0; i < opts.runs + 2; i++) {
    // Alternating which goes first; the first two pairs warm up (optimized code, as in a running server).
    const first = i & 1;
    const x = first ? run(packets, bounds, opts.streams, undefined) : run(packets, bounds, opts.streams, performanceClocks);
    const xHeap = lastHeapBytes;
    const y = first ? run(packets, bounds, opts.streams, performanceClocks) : run(packets, bounds, opts.streams, undefined);
    const [withHealth, without] = first ? [y, x] : [x, y];
    const [hw, ho] = first ? [lastHeapBytes, xHeap] : [xHeap, lastHeapBytes];
    if (i >= 2 && hw >= 0) heapWith.push(hw);
    if (i >= 2 && ho >= 0) heapWithout.push(ho);
    const z = run(packets, bounds, opts.streams, free);
    if (i >= 2) {
      added.push((withHealth - without) / messages);
      addedFree.push((z - without) / messages);
      base.push(without / messages);
    }
  }
  const bytesPerMessage = heapWith.length > 0 && heapWithout.length > 0 ? (median(heapWith) - median(heapWithout)) / messages : null;
  return { nsPerMessage: median(added), nsFreeClock: median(addedFree), baseNs: median(base), clockReadsPer1000: (clockReads * 1000) / messages, messages, bytesPerMessage };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const streams = numberArg('streams', 10);
  const readMs = numberArg('read-ms', 100);
  const f = healthFrame({ streams, seconds: numberArg('seconds', 120), readMs, runs: numberArg('runs', 9) });
  console.log(`health per message (reference clip, ${streams} streams, reads of ${readMs} ms of media, ${f.messages} messages a run): ${f.nsPerMessage.toFixed(1)} ns added, ${f.nsFreeClock.toFixed(1)} ns with a clock that costs nothing`
    + ` (baseline loop ${f.baseNs.toFixed(1)} ns); arrival clock read ${f.clockReadsPer1000.toFixed(1)} times per 1000 messages;`
    + ` heap allocated ${f.bytesPerMessage === null ? 'n/a (a collection in every run)' : `${f.bytesPerMessage.toFixed(2)} bytes`} per message${sink === 0.5 ? ' ' : ''}`);
}
