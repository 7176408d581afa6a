import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import type { Publisher } from '../publisher.js';
import { findReasons } from './health-checks.js';
import { HealthEvaluator } from './health-evaluator.js';
import { audioFigures, avOffsetMs, driftMs, encoderFigures, mediaRate, videoFigures } from './health-figures.js';
import { OFFLINE_EVALUATION, type EncoderFigures, type HealthEvaluation, type HealthThresholds, type IngestFigures } from './health-types.js';
import { IngestMeter } from './ingest-meter.js';
import { TrackWindows } from './track-meter.js';

/** Whole ms since the clock was made (monotonic). */
export type ElapsedClock = () => number;
/** Makes an ElapsedClock that starts now: one per publish (performanceClocks in the server; a simulated one in tests). */
export type ClockSource = () => ElapsedClock;

/**
 * The arrival clock: whole ms since the publish started, from performance.now(). On Node 20 a reading is boxed into a
 * heap number (16 bytes) wherever V8 does not inline the call, so IngestMeter reads it once every few messages
 * (ARRIVAL_READ_EVERY); whole ms since the publish stay small integers (Smis) for 12 days of one publish, so passing
 * them on allocates nothing. (process.hrtime()'s pair costs more when it is not optimized away, and caching one
 * reading per event-loop callback would need a queueMicrotask or nextTick per callback, which costs more still.)
 */
export const performanceClocks: ClockSource = () => {
  const start = performance.now();
  return () => Math.round(performance.now() - start);
};

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
  /** Each evaluation's window sums, read in one pass per track into these (no allocation per evaluation). */
  private readonly videoWindows = new TrackWindows();
  private readonly audioWindows = new TrackWindows();

  constructor(private readonly thresholds: HealthThresholds, private readonly clocks: ClockSource) {}

  /** The latest evaluation (offline before the first). */
  get latest(): HealthEvaluation {
    return this.last;
  }

  start(pub: Publisher): void {
    this.publisher = pub;
    this.meter = new IngestMeter(this.clocks(), this.thresholds.stallMs);
    this.encoder = null;
  }

  stop(): void {
    this.publisher = undefined;
    this.meter = undefined;
  }

  record(p: MediaPacket): void {
    this.meter?.record(p);
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
    const now = m.elapsed();
    m.tick(now);
    m.video.measure(this.videoWindows);
    m.audio.measure(this.audioWindows);
    const video = videoFigures(m, now, this.videoWindows);
    const audio = audioFigures(m, now, this.audioWindows);
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
    const main = video ? this.videoWindows : this.audioWindows;
    const findings = findReasons({
      video, audio, ingest,
      silenceMs: m.silenceMs(now),
      sinceKeyframeMs: video && !Number.isNaN(m.video.lastKeyDts) ? m.video.lastDts - m.video.lastKeyDts : null,
      shortSeconds: main.shortSeconds,
      longSeconds: main.longSeconds,
    }, this.thresholds);
    const { state, since, reasons } = this.evaluator.judge(findings, wallNow);
    return (this.last = { state, since, reasons, video, audio, encoder: this.encoder, ingest });
  }
}
