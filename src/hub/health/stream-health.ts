import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import type { Publisher } from '../publisher.js';
import type { ClockSource } from './arrival-clock.js';
import { CheckInput, findReasons } from './health-checks.js';
import { HealthEvaluator } from './health-evaluator.js';
import { audioFigures, avOffsetMs, driftMs, encoderFigures, fps, kbps, mediaRate, metadataFps, stale, videoFigures } from './health-figures.js';
import { OFFLINE_EVALUATION, type EncoderFigures, type HealthEvaluation, type HealthReason, type HealthState, type HealthThresholds, type IngestFigures } from './health-types.js';
import type { TrackDescription } from './track-description.js';
import { IngestMeter } from './ingest-meter.js';
import { TrackWindows } from './track-meter.js';

/**
 * The ingest health of one hub stream: fed every packet of its current publisher (`record`, O(1)), judged about once
 * a second by whoever schedules it (`judge`, which computes only the numbers the state decision and the history
 * need, into preallocated fields). The full figures (`latest`) are built from what that judgement captured only when
 * something reads them, once per judgement at most. Offline while no publisher is attached.
 */
export class StreamHealth {
  private meter: IngestMeter | undefined;
  private publisher: Publisher | undefined;
  private encoder: EncoderFigures | null = null;
  /** The frame rate the current publish's onMetaData announced, read once per metadata, not per judgement. */
  private announcedFps: number | null = null;
  private readonly evaluator = new HealthEvaluator();
  /** The latest evaluation as figures; undefined until read after a judgement. */
  private built: HealthEvaluation | undefined = OFFLINE_EVALUATION;
  private state: HealthState = 'offline';
  private since = 0;
  private reasonList: readonly HealthReason[] = OFFLINE_EVALUATION.reasons;
  /** Each judgement's window sums, read in one pass per track into these (no allocation per judgement). */
  private readonly videoWindows = new TrackWindows();
  private readonly audioWindows = new TrackWindows();
  private readonly checks = new CheckInput();
  /** What the last judgement saw, for building its figures later (references and numbers, nothing copied). */
  private readonly seen = {
    online: false, video: false, audio: false, videoQuiet: false, audioQuiet: false, keyInterval: NaN,
    videoTrack: undefined as TrackDescription | undefined, audioTrack: undefined as TrackDescription | undefined,
    metadata: undefined as StreamMetadata | undefined, encoder: null as EncoderFigures | null, publisher: undefined as Publisher | undefined,
    lateFrames: 0, outOfOrderFrames: 0, gaps: 0, stalls: 0, configChanges: 0, bytesIn: 0,
  };

  constructor(private readonly thresholds: HealthThresholds, private readonly clocks: ClockSource) {}

  /** The latest evaluation (offline before the first), built at the first read after a judgement. */
  get latest(): HealthEvaluation {
    return (this.built ??= this.build());
  }

  /** The latest judgement's state, its start (epoch ms) and reasons: no figures built. */
  get currentState(): HealthState {
    return this.state;
  }

  get reasons(): readonly HealthReason[] {
    return this.reasonList;
  }

  /** The latest judgement's history figures (as in `latest`; null where the figure is null). */
  get videoKbps(): number | null {
    const x = this.seen;
    return x.online && x.video ? kbps(this.videoWindows.oneSeconds, x.videoQuiet ? 0 : this.videoWindows.oneBytes) : null;
  }

  get videoFps(): number | null {
    const x = this.seen;
    return x.online && x.video ? fps(this.videoWindows.oneSeconds, x.videoQuiet ? 0 : this.videoWindows.oneFrames) : null;
  }

  get keyframeIntervalMs(): number | null {
    const x = this.seen;
    return x.online && x.video && !Number.isNaN(x.keyInterval) ? x.keyInterval : null;
  }

  get audioKbps(): number | null {
    const x = this.seen;
    return x.online && x.audio ? kbps(this.audioWindows.oneSeconds, x.audioQuiet ? 0 : this.audioWindows.oneBytes) : null;
  }

  start(pub: Publisher): void {
    this.publisher = pub;
    this.meter = new IngestMeter(this.clocks(), this.thresholds.stallMs);
    this.encoder = null;
    this.announcedFps = null;
  }

  stop(): void {
    this.publisher = undefined;
    this.meter = undefined;
  }

  record(p: MediaPacket): void {
    this.meter?.record(p);
  }

  /** A frame whose fields the caller has already read (the hub's per-packet path): as `record`. */
  frame(p: MediaPacket, video: boolean, dts: number, bytes: number, keyframe: boolean): void {
    this.meter?.frame(p, video, dts, bytes, keyframe);
  }

  /** The publisher's bridge starts pushing one read of its input (IngestMeter.received). */
  received(): void {
    this.meter?.received();
  }

  setMetadata(m: StreamMetadata): void {
    if (!this.meter) return;
    this.meter.setMetadata(m);
    this.encoder = encoderFigures(m);
    this.announcedFps = metadataFps(m);
  }

  /** Closes one evaluation period and returns its figures (`judge` and `latest`). */
  evaluate(wallNow: number = Date.now()): HealthEvaluation {
    this.judge(wallNow);
    return this.latest;
  }

  /**
   * Closes one evaluation period: call about once a second. `wallNow` stamps reasons and states (epoch ms). Fills
   * preallocated fields only; a healthy stream allocates nothing here.
   */
  judge(wallNow: number = Date.now()): HealthState {
    const m = this.meter;
    const pub = this.publisher;
    const x = this.seen;
    this.built = undefined;
    if (!m || !pub) {
      const state = this.evaluator.offline(wallNow);
      x.online = false;
      x.publisher = undefined;
      this.state = state;
      this.since = this.evaluator.since;
      this.reasonList = OFFLINE_EVALUATION.reasons;
      return state;
    }
    const now = m.now();
    m.tick(now);
    const vw = this.videoWindows;
    const aw = this.audioWindows;
    m.video.measure(vw);
    m.audio.measure(aw);
    x.online = true;
    x.video = m.video.present;
    x.audio = m.audio.present;
    x.videoQuiet = stale(m.video, now);
    x.audioQuiet = stale(m.audio, now);
    x.keyInterval = m.video.lastKeyInterval;
    x.videoTrack = m.videoTrack;
    x.audioTrack = m.audioTrack;
    x.metadata = m.metadata;
    x.encoder = this.encoder;
    x.publisher = pub;
    x.lateFrames = m.video.late + m.audio.late;
    x.outOfOrderFrames = pub.timestamps.stats.nonMonotonic;
    x.gaps = m.video.gaps + m.audio.gaps;
    x.stalls = m.stalls;
    x.configChanges = m.configChanges;
    x.bytesIn = pub.bytesIn;
    const c = this.checks;
    const main = x.video ? vw : aw;
    const mainPresent = x.video || x.audio;
    c.video = x.video;
    c.silenceMs = m.silenceMs(now);
    c.sinceKeyframeMs = x.video && !Number.isNaN(m.video.lastKeyDts) ? m.video.lastDts - m.video.lastKeyDts : null;
    c.keyframeIntervalMs = this.keyframeIntervalMs;
    c.metadataFps = x.video ? this.announcedFps : null;
    c.fps10 = x.video ? fps(vw.shortSeconds, vw.shortFrames) : null;
    c.shortKbps = mainPresent ? kbps(main.shortSeconds, main.shortBytes) : null;
    c.longKbps = mainPresent ? kbps(main.longSeconds, main.longBytes) : null;
    c.avOffsetMs = avOffsetMs(m);
    c.driftMs = driftMs(m);
    c.mediaRate = mediaRate(m);
    c.shortSeconds = main.shortSeconds;
    c.longSeconds = main.longSeconds;
    const state = this.evaluator.judge(findReasons(c, this.thresholds), wallNow);
    this.state = state;
    this.since = this.evaluator.since;
    this.reasonList = this.evaluator.reasons;
    return state;
  }

  private build(): HealthEvaluation {
    const x = this.seen;
    const pub = x.publisher;
    if (!x.online || !pub) return { ...OFFLINE_EVALUATION, state: this.state, since: this.since };
    const c = this.checks;
    const ingest: IngestFigures = {
      protocol: pub.info.protocol,
      remoteAddress: pub.info.remoteAddress,
      since: pub.startedAt.getTime(),
      mediaRate: c.mediaRate,
      driftMs: c.driftMs,
      avOffsetMs: c.avOffsetMs,
      lateFrames: x.lateFrames,
      outOfOrderFrames: x.outOfOrderFrames,
      gaps: x.gaps,
      stalls: x.stalls,
      configChanges: x.configChanges,
      bytesIn: x.bytesIn,
    };
    return {
      state: this.state, since: this.since, reasons: this.reasonList,
      video: x.video ? videoFigures(x.videoTrack, x.metadata, x.videoQuiet, x.keyInterval, this.videoWindows) : null,
      audio: x.audio ? audioFigures(x.audioTrack, x.metadata, x.audioQuiet, this.audioWindows) : null,
      encoder: x.encoder, ingest,
    };
  }
}
