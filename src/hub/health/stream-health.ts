import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import type { Publisher } from '../publisher.js';
import { findReasons } from './health-checks.js';
import { HealthEvaluator } from './health-evaluator.js';
import { audioFigures, avOffsetMs, driftMs, encoderFigures, mediaRate, videoFigures } from './health-figures.js';
import { OFFLINE_EVALUATION, type EncoderFigures, type HealthEvaluation, type HealthThresholds, type IngestFigures } from './health-types.js';
import { IngestMeter } from './ingest-meter.js';
import { LONG_WINDOW_S, SHORT_WINDOW_S } from './limits.js';

/** Monotonic ms of arrivals (performanceClock in the server; a simulated clock in tests). */
export type MonotonicClock = () => number;

/**
 * performance.now(): monotonic, a plain double, no allocation (process.hrtime.bigint() allocates). Read per message:
 * caching one reading per event-loop callback needs a microtask or nextTick per callback, which costs more than the
 * clock read itself (measured on Node 20).
 */
export const performanceClock: MonotonicClock = () => performance.now();

/**
 * The ingest health of one hub stream: fed every packet of its current publisher (`record`, O(1)), evaluated
 * about once a second by whoever schedules it (`evaluate`). Offline while no publisher is attached.
 */
export class StreamHealth {
  private meter: IngestMeter | undefined;
  private publisher: Publisher | undefined;
  private encoder: EncoderFigures | null = null;
  private readonly evaluator = new HealthEvaluator();
  private last: HealthEvaluation = OFFLINE_EVALUATION;

  constructor(private readonly thresholds: HealthThresholds, private readonly clock: MonotonicClock) {}

  /** The latest evaluation (offline before the first). */
  get latest(): HealthEvaluation {
    return this.last;
  }

  start(pub: Publisher): void {
    this.publisher = pub;
    this.meter = new IngestMeter(this.clock(), this.thresholds.stallMs);
    this.encoder = null;
  }

  stop(): void {
    this.publisher = undefined;
    this.meter = undefined;
  }

  record(p: MediaPacket): void {
    this.meter?.record(p, this.clock());
  }

  setMetadata(m: StreamMetadata): void {
    if (!this.meter) return;
    this.meter.setMetadata(m);
    this.encoder = encoderFigures(m);
  }

  /** Closes one evaluation period: call about once a second. `wallNow` stamps reasons and states (epoch ms). */
  evaluate(wallNow: number = Date.now()): HealthEvaluation {
    const m = this.meter;
    const pub = this.publisher;
    if (!m || !pub) {
      const { state, since } = this.evaluator.offline(wallNow);
      return (this.last = { ...OFFLINE_EVALUATION, state, since });
    }
    const now = this.clock();
    m.tick(now);
    const video = videoFigures(m, now);
    const audio = audioFigures(m, now);
    const ingest: IngestFigures = {
      protocol: pub.info.protocol,
      remoteAddress: pub.info.remoteAddress,
      since: pub.startedAt.getTime(),
      mediaRate: mediaRate(m),
      driftMs: driftMs(m),
      avOffsetMs: avOffsetMs(m),
      lateFrames: m.video.late + m.audio.late,
      outOfOrderFrames: pub.timestamps.stats.nonMonotonic,
      gaps: m.video.gaps + m.audio.gaps,
      stalls: m.stalls,
      configChanges: m.configChanges,
      bytesIn: pub.bytesIn,
    };
    const main = video ? m.video : m.audio;
    const findings = findReasons({
      video, audio, ingest,
      silenceMs: m.silenceMs(now),
      sinceKeyframeMs: video && !Number.isNaN(m.video.lastKeyDts) ? m.video.lastDts - m.video.lastKeyDts : null,
      shortSeconds: main.window(SHORT_WINDOW_S).seconds,
      longSeconds: main.window(LONG_WINDOW_S).seconds,
    }, this.thresholds);
    const { state, since, reasons } = this.evaluator.judge(findings, wallNow);
    return (this.last = { state, since, reasons, video, audio, encoder: this.encoder, ingest });
  }
}
