/**
 * What ingest health costs in-process (issue 18's budget), on one synthetic stream of realistic packets:
 *
 *   npx tsx bench/health-micro.ts [--streams 10] [--seconds 120] [--read-ms 200] [--rounds 5]
 *
 * Two hubs in this process, one with health and one without, get the same packets at the same (simulated) times:
 * `--streams` streams of 720p30 H.264 at 2.5 Mb/s (2 s GOP) and AAC 128k at 48 kHz, each read in callbacks of
 * `--read-ms` of media (merged reads hold a publisher's socket up to 200 ms), streams and hubs interleaved (the hub
 * that goes first alternates), one HLS-like subscriber per stream that drops what it gets. Once per simulated
 * second the health service evaluates every stream (HealthMonitor.evaluateAll: the state decision, reasons,
 * hysteresis, history; reports are built only when read, and nothing reads them here), as the server's timer does. Reported: ns per packet with and without health (the median over
 * `--rounds` runs of `--seconds` each), what health adds per packet, µs per evaluation round and per stream
 * (median and p90 of every round), and heap bytes one round allocates (rounds without a collection in between).
 * The arrival clock is simulated, so the stream is healthy and media runs faster than real time.
 * Last, one /metrics rendering (the server's prom-client registry) with health on (its per-stream series) and off.
 */
import { pino } from 'pino';
import { pathToFileURL } from 'node:url';
import { StreamHub } from '../src/hub/index.js';
import { HealthMonitor, HlsAudience } from '../src/services/health/index.js';
import { OnAirMetrics } from '../src/services/metrics/index.js';
import type { MediaPacket, StreamMetadata } from '../src/core/media-packet.js';
import type { SubscriberSink } from '../src/hub/types.js';
import type { ClockSource, HealthThresholds } from '../src/hub/health/index.js';
import { median, numberArg } from './lib/children.js';

const THRESHOLDS: HealthThresholds = { stallMs: 2000, keyframeIntervalMaxMs: 4000, bitrateDropPct: 50, fpsTolerancePct: 15, avDesyncMs: 500, driftMs: 1000 };
const VIDEO_FPS = 30;
const VIDEO_KBPS = 2500;
const GOP_FRAMES = 60;
const AUDIO_FRAME_MS = 1024_000 / 48_000;
const AUDIO_BYTES = 341; // 128 kb/s at 46.875 frames a second
/** The avcC of 1280x720 High 3.1 and the AudioSpecificConfig of AAC-LC 48 kHz stereo, as ffmpeg writes them. */
const AVCC = Buffer.from('0164001fffe100196764001facd9405005bb011000000300100000030300f183196001000568ebecb22c', 'hex');
const ASC = Buffer.from('1190', 'hex');
const METADATA: StreamMetadata = { width: 1280, height: 720, framerate: 30, videodatarate: 2500, audiosamplerate: 48000, stereo: true, encoder: 'Lavf59.27.100' };

export interface MicroFigures {
  readonly streams: number;
  readonly packetsPerSecond: number;
  readonly nsOn: number;
  readonly nsOff: number;
  /** Median over rounds of (on - off) per packet. */
  readonly nsAdded: number;
  /** One evaluation round of every stream. */
  readonly roundUs: { readonly median: number; readonly p90: number };
  readonly bytesPerRound: number | null;
}

/** One stream's media second by second: configs first, then frames in dts order, keyframes every GOP_FRAMES. */
function streamPackets(seconds: number): MediaPacket[] {
  const payload = Buffer.alloc(256 * 1024);
  const out: MediaPacket[] = [
    { kind: 'video', codec: 'avc1', role: 'config', dts: 0, cts: 0, keyframe: true, data: AVCC },
    { kind: 'audio', codec: 'mp4a', role: 'config', dts: 0, cts: 0, keyframe: true, data: ASC },
  ];
  const meanFrame = (VIDEO_KBPS * 1000) / 8 / VIDEO_FPS;
  let audio = 0;
  for (let i = 0; i < seconds * VIDEO_FPS; i++) {
    const dts = Math.round((i * 1000) / VIDEO_FPS);
    for (; audio * AUDIO_FRAME_MS <= dts; audio++) {
      out.push({ kind: 'audio', codec: 'mp4a', role: 'frame', dts: Math.round(audio * AUDIO_FRAME_MS), cts: 0, keyframe: true, data: payload.subarray(0, AUDIO_BYTES) });
    }
    const key = i % GOP_FRAMES === 0;
    // A keyframe about 4x the mean, the other frames sharing the rest; a little spread so no two seconds match.
    const size = Math.round(key ? meanFrame * 4 : (meanFrame * (GOP_FRAMES - 4)) / (GOP_FRAMES - 1) * (0.8 + 0.4 * ((i * 7919) % 97) / 97));
    out.push({ kind: 'video', codec: 'avc1', role: 'frame', dts, cts: 66, keyframe: key, data: payload.subarray(0, size) });
  }
  return out;
}

const DROP_SINK: SubscriberSink = {
  pendingBytes: 0, onMetadata: () => {}, onPacket: () => {}, onPublisherEnd: () => {}, onPublisherStart: () => {}, onClose: () => {},
};

/** The two hubs (health on with its monitor, health off) with `streams` published streams on a simulated clock. */
function setup(streams: number, clock: { now: number; wall: number }) {
  const clocks: ClockSource = () => {
    const start = clock.now;
    return () => clock.now - start;
  };
  const log = pino({ level: 'silent' });
  const options = { gop: { maxBytes: 16 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 4 << 20, slowTimeoutMs: 30_000 }, takeover: 'takeover' as const };
  const on = new StreamHub({ ...options, health: THRESHOLDS, healthClocks: clocks }, log);
  const off = new StreamHub(options, log);
  const audience = new HlsAudience();
  const monitor = new HealthMonitor({ hub: on, audience, hysteresisMs: 5000, log, wallClock: () => clock.wall });
  const pubs = [on, off].map((hub) => Array.from({ length: streams }, (_, i) => {
    const pub = hub.publish(`live/s${i}`, { protocol: 'rtmp', remoteAddress: '127.0.0.1', streamId: `str_${i}` });
    hub.subscribe(`live/s${i}`, { protocol: 'hls', remoteAddress: 'internal' }, DROP_SINK);
    pub.setMetadata(METADATA);
    return pub;
  }));
  return { on, off, monitor, audience, pubs, log };
}

/**
 * One /metrics rendering (prom-client, the server's registry) with health on (per-stream series from the monitor's
 * reports) and off, on `streams` streams with 20 s of media behind them: µs per scrape, median of alternating runs.
 */
export async function scrapeCost(streams: number): Promise<{ onUs: number; offUs: number }> {
  const media = streamPackets(21);
  const clock = { now: 0, wall: Date.UTC(2026, 0, 1) };
  const { on, off, monitor, audience, pubs, log } = setup(streams, clock);
  for (let t = 1000; t <= 20_000; t += 1000) {
    clock.now = t;
    clock.wall += 1000;
    for (const hubPubs of pubs) hubPubs.forEach((pub) => media.filter((p) => p.dts >= t - 1000 && p.dts < t).forEach((p) => pub.push(p)));
    monitor.evaluateAll();
  }
  const metrics = [
    new OnAirMetrics({ hub: on, log, rtmpConnections: () => streams, monitor, audience }),
    new OnAirMetrics({ hub: off, log, rtmpConnections: () => streams }),
  ];
  const us: number[][] = [[], []];
  for (let i = 0; i < 240; i++) {
    const k = i & 1;
    const t0 = process.hrtime.bigint();
    await metrics[k]!.registry.metrics();
    if (i >= 40) us[k]!.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  metrics.forEach((m) => m.close());
  monitor.close();
  on.close();
  off.close();
  return { onUs: median(us[0]!), offUs: median(us[1]!) };
}

/** One run: both hubs get `seconds` of media on every stream; returns ns per packet on and off, and each round's µs and bytes. */
function run(streams: number, seconds: number, readMs: number, media: readonly MediaPacket[]): { nsOn: number; nsOff: number; rounds: number[]; bytes: number[] } {
  const clock = { now: 0, wall: Date.UTC(2026, 0, 1) };
  const { on, off, monitor, pubs } = setup(streams, clock);
  const next = [new Array<number>(streams).fill(0), new Array<number>(streams).fill(0)];
  const ns = [0, 0];
  let packets = 0;
  const rounds: number[] = [];
  const bytes: number[] = [];
  for (let t = readMs, slot = 0; t <= seconds * 1000; t += readMs, slot++) {
    clock.now = t;
    for (let s = 0; s < streams; s++) {
      for (let k = 0; k < 2; k++) {
        const h = (k + slot + s) & 1; // which hub goes first alternates
        const pub = pubs[h]![s]!;
        let i = next[h]![s]!;
        const t0 = process.hrtime.bigint();
        while (i < media.length && media[i]!.dts < t) pub.push(media[i++]!);
        ns[h]! += Number(process.hrtime.bigint() - t0);
        if (h === 0) packets += i - next[h]![s]!;
        next[h]![s] = i;
      }
    }
    if (t % 1000 === 0) {
      clock.wall += 1000;
      const heap0 = process.memoryUsage().heapUsed;
      const t0 = process.hrtime.bigint();
      monitor.evaluateAll();
      rounds.push(Number(process.hrtime.bigint() - t0) / 1000);
      const grown = process.memoryUsage().heapUsed - heap0;
      if (grown >= 0) bytes.push(grown);
    }
  }
  monitor.close();
  on.close();
  off.close();
  return { nsOn: ns[0]! / packets, nsOff: ns[1]! / packets, rounds, bytes };
}

/** The in-process figures (see the file comment). */
export function healthMicro(opts: { streams: number; seconds: number; readMs: number; rounds: number }): MicroFigures {
  const media = streamPackets(opts.seconds + 1);
  const perSecond = media.filter((p) => p.role === 'frame').length / (opts.seconds + 1);
  // An empty memoryUsage() pair: what the reading itself allocates, taken off every round's bytes.
  const empty: number[] = [];
  for (let i = 0; i < 200; i++) {
    const a = process.memoryUsage().heapUsed;
    const b = process.memoryUsage().heapUsed;
    if (b >= a) empty.push(b - a);
  }
  run(opts.streams, Math.min(opts.seconds, 30), opts.readMs, media); // warm-up: the code optimized, as in a running server
  const on: number[] = [];
  const off: number[] = [];
  const added: number[] = [];
  const rounds: number[] = [];
  const bytes: number[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    const x = run(opts.streams, opts.seconds, opts.readMs, media);
    on.push(x.nsOn);
    off.push(x.nsOff);
    added.push(x.nsOn - x.nsOff);
    // The first minute of a stream fills its windows; every round counts once the stream is past its first seconds.
    rounds.push(...x.rounds.slice(5));
    bytes.push(...x.bytes.slice(5));
  }
  rounds.sort((a, b) => a - b);
  return {
    streams: opts.streams,
    packetsPerSecond: perSecond,
    nsOn: median(on), nsOff: median(off), nsAdded: median(added),
    roundUs: { median: median(rounds), p90: rounds[Math.floor(rounds.length * 0.9)]! },
    bytesPerRound: bytes.length > 0 ? Math.max(0, median(bytes) - median(empty)) : null,
  };
}

/** Health's CPU per second of `streams` live streams by the micro figures, in ms. */
export function healthMsPerSecond(f: MicroFigures): number {
  return (f.nsAdded * f.packetsPerSecond * f.streams) / 1e6 + f.roundUs.median / 1000;
}

export function printMicro(f: MicroFigures): void {
  console.log(`micro: ${f.streams} streams of ${f.packetsPerSecond.toFixed(1)} packets a second, hub push per packet (one subscriber): health on ${f.nsOn.toFixed(0)} ns, off ${f.nsOff.toFixed(0)} ns, health adds ${f.nsAdded.toFixed(0)} ns`);
  console.log(`micro: one evaluation round of ${f.streams} streams (monitor: decision, reasons, history; no report read) median ${f.roundUs.median.toFixed(1)} us (${(f.roundUs.median / f.streams).toFixed(2)} us per stream), p90 ${f.roundUs.p90.toFixed(1)} us; heap allocated per round ${f.bytesPerRound === null ? 'n/a' : `${f.bytesPerRound} bytes (${Math.round(f.bytesPerRound / f.streams)} per stream)`}`);
  console.log(`micro: health's CPU for ${f.streams} live streams: ${(healthMsPerSecond(f) * 1000).toFixed(0)} us per second (${((f.nsAdded * f.packetsPerSecond * f.streams) / 1000).toFixed(0)} us per-packet + ${f.roundUs.median.toFixed(0)} us evaluation) = ${(healthMsPerSecond(f) / 10).toFixed(3)} % of one core`);
}

/** What a /metrics scrape costs with health (its per-stream series) against without, per second at `intervalS`. */
export function printScrape(s: { onUs: number; offUs: number }, streams: number, intervalS = 15): void {
  console.log(`micro: one /metrics scrape with ${streams} streams: health on ${s.onUs.toFixed(0)} us, off ${s.offUs.toFixed(0)} us; at one scrape every ${intervalS} s health's series add ${((s.onUs - s.offUs) / intervalS).toFixed(0)} us per second`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const streams = numberArg('streams', 10);
  printMicro(healthMicro({ streams, seconds: numberArg('seconds', 120), readMs: numberArg('read-ms', 200), rounds: numberArg('rounds', 5) }));
  void scrapeCost(streams).then((s) => printScrape(s, streams));
}
