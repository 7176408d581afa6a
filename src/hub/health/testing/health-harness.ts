import type { MediaPacket } from '../../../core/media-packet.js';
import { Publisher, type PublishedStream } from '../../publisher.js';
import { StreamHealth } from '../stream-health.js';
import type { HealthEvaluation, HealthThresholds } from '../health-types.js';

export const TEST_THRESHOLDS: HealthThresholds = {
  stallMs: 2000, keyframeIntervalMaxMs: 4000, bitrateDropPct: 50, fpsTolerancePct: 15, avDesyncMs: 500, driftMs: 1000,
};

/** A packet and the monotonic ms it arrives at. */
export interface Arrival {
  readonly p: MediaPacket;
  readonly at: number;
}

const NULL_OWNER: PublishedStream = { ingest: () => {}, received: () => {}, latencyToleranceMs: 0, setMetadata: () => {}, detach: () => {} };
const WALL_START = Date.UTC(2025, 0, 1);

/**
 * StreamHealth on a simulated clock: packets arrive at set times and an evaluation runs at every whole second,
 * as the health service's timer does. Media truth (fps, GOP, bytes, pace) is whatever the test generates.
 */
export class HealthHarness {
  now = 0;
  readonly health: StreamHealth;
  readonly pub = new Publisher(1, 'live/test', { protocol: 'rtmp', remoteAddress: '192.0.2.1' }, NULL_OWNER, 0);
  readonly evaluations: HealthEvaluation[] = [];
  /** Arrival clock readings taken so far (per message and per evaluation). */
  clockReads = 0;
  private nextEvaluation = 1000;
  private lastDelivery = NaN;

  /**
   * @param options.marksReads packets that arrive at the same moment come in one read, marked as an RTMP connection
   * marks them (StreamHealth.received before the first); without it, nothing is marked, as from bridges that don't.
   */
  constructor(thresholds: HealthThresholds = TEST_THRESHOLDS, private readonly options: { marksReads?: boolean } = {}) {
    this.health = new StreamHealth(thresholds, () => {
      const start = this.now;
      return () => {
        this.clockReads++;
        return this.now - start;
      };
    });
    this.health.start(this.pub);
  }

  get last(): HealthEvaluation {
    return this.evaluations[this.evaluations.length - 1]!;
  }

  /** Delivers `arrivals` (any order; sorted by time, stable) and evaluates each second until `untilMs`. */
  play(arrivals: readonly Arrival[], untilMs: number): this {
    const sorted = [...arrivals].sort((a, b) => a.at - b.at);
    let i = 0;
    while (this.nextEvaluation <= untilMs) {
      while (i < sorted.length && sorted[i]!.at <= this.nextEvaluation) this.deliver(sorted[i++]!);
      this.now = this.nextEvaluation;
      this.evaluations.push(this.health.evaluate(WALL_START + this.now));
      this.nextEvaluation += 1000;
    }
    while (i < sorted.length && sorted[i]!.at <= untilMs) this.deliver(sorted[i++]!);
    return this;
  }

  private deliver(a: Arrival): void {
    this.now = Math.max(this.now, a.at);
    if (this.options.marksReads && a.at !== this.lastDelivery) this.health.received();
    this.lastDelivery = a.at;
    this.health.record(a.p);
  }
}

export interface VideoSpec {
  readonly fps: number;
  /** Frames per GOP (a keyframe every `gop` frames). */
  readonly gop: number;
  readonly bytes: number;
  /** Media ms covered. */
  readonly durationMs: number;
  readonly startDts?: number;
}

/** Video frames with FLV-style millisecond timestamps. */
export function videoFrames(s: VideoSpec): MediaPacket[] {
  const out: MediaPacket[] = [];
  const start = s.startDts ?? 0;
  for (let i = 0; Math.round((i * 1000) / s.fps) < s.durationMs; i++) {
    out.push(frame('video', start + Math.round((i * 1000) / s.fps), s.bytes, i % s.gop === 0));
  }
  return out;
}

/** AAC frames (1024 samples) at `sampleRate`. */
export function audioFrames(s: { sampleRate: number; bytes: number; durationMs: number; startDts?: number }): MediaPacket[] {
  const out: MediaPacket[] = [];
  const start = s.startDts ?? 0;
  for (let i = 0; Math.round((i * 1024 * 1000) / s.sampleRate) < s.durationMs; i++) {
    out.push(frame('audio', start + Math.round((i * 1024 * 1000) / s.sampleRate), s.bytes, true));
  }
  return out;
}

export function frame(kind: 'video' | 'audio', dts: number, bytes: number, keyframe: boolean): MediaPacket {
  return { kind, codec: kind === 'video' ? 'avc1' : 'mp4a', role: 'frame', dts, cts: 0, keyframe, data: Buffer.alloc(bytes) };
}

export interface Pace {
  /** Media ms per wall ms (1 = real time, 0.8 = an encoder 20 % too slow). */
  readonly rate?: number;
  /** Arrival of media time 0. */
  readonly offsetMs?: number;
  /** Arrivals held and released together every `burstMs` (merged reads). */
  readonly burstMs?: number;
  /** Extra delay per packet (e.g. one track arriving later). */
  readonly delay?: (p: MediaPacket) => number;
}

export function arrive(packets: readonly MediaPacket[], pace: Pace = {}): Arrival[] {
  const rate = pace.rate ?? 1;
  const offset = pace.offsetMs ?? 0;
  return packets.map((p) => {
    let at = offset + p.dts / rate + (pace.delay?.(p) ?? 0);
    if (pace.burstMs) at = Math.ceil(at / pace.burstMs) * pace.burstMs;
    return { p, at };
  });
}
