import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { describeConfig } from '../../codecs/codec-info.js';
import { ARRIVAL_CLOCK_STEP_MS, DRIFT_SETTLE_MS, MARKED_READ_MEDIA_MS, TICK_RING_SIZE } from './limits.js';
import { TrackMeter } from './track-meter.js';
import { elapsedSince, type ElapsedClock } from './arrival-clock.js';
import { bareTrack, describeTrack, type TrackDescription } from './track-description.js';

/**
 * One publish's ingest as it arrives: two TrackMeters, the decoder configurations described once per change,
 * stalls, and per evaluation where the newest frame sat in media time and in arrival time (for media rate and
 * drift). `record` runs per packet: O(1), no allocation except for a changed codec configuration and the clock
 * reading, which is taken once per ARRIVAL_CLOCK_STEP_MS of media, and at most once per read where the bridge marks
 * its reads (`received`).
 */
export class IngestMeter {
  readonly video = new TrackMeter(true);
  readonly audio = new TrackMeter(false);
  videoTrack: TrackDescription | undefined;
  audioTrack: TrackDescription | undefined;
  metadata: StreamMetadata | undefined;
  configChanges = 0;
  stalls = 0;
  /** Arrival (elapsed()) of the newest frame of any track. */
  lastArrival = NaN;
  private newestDts = -Infinity;
  private newestArrival = NaN;
  private stallOpen = false;
  private clockReading = 0;
  private clockDts = -Infinity;
  /** Reads of the publisher's input marked by its bridge (`received`), and the one the clock was last read in. */
  private reads = 0;
  private clockRead = -1;
  private readsMarked = false;
  private videoConfig: Buffer | undefined;
  private audioConfig: Buffer | undefined;
  private readonly tickArrival = new Float64Array(TICK_RING_SIZE);
  private readonly tickDts = new Float64Array(TICK_RING_SIZE);
  private ticks = 0;
  /**
   * The server's clock (performanceClocks) is read from its origin here rather than through its closure: in a live
   * server it is read ~100 times a second, too seldom for the closure to be optimized, and in place the closure with
   * its context cost more than performance.now() itself (bench/health-probe.ts's profiles; see bench/README.md).
   */
  private readonly inlineClock: boolean;
  private readonly origin: number;
  /** span()'s answer, reused: read once per evaluation, right after the call. */
  private readonly spanOut = { wallMs: 0, mediaMs: 0 };

  /**
   * @param elapsed whole ms since the publish started (an ElapsedClock made at its start); millisecond precision is
   * plenty, the finest threshold measured against it is 50 ms. @param stallMs a silence over this is a stall.
   */
  constructor(readonly elapsed: ElapsedClock, private readonly stallMs: number) {
    this.origin = elapsed.origin ?? NaN;
    this.inlineClock = elapsed.origin !== undefined;
  }

  record(p: MediaPacket): void {
    const role = p.role;
    if (role === 'frame') this.frame(p, p.kind === 'video', p.dts, p.data.length, p.keyframe);
    else if (role === 'config') this.config(p);
  }

  /**
   * A frame, its fields read once by the caller (packets reach the hub in several shapes, so every property load
   * is a polymorphic one); `p` is read again only for the codec of a track's first frame.
   */
  frame(p: MediaPacket, video: boolean, dts: number, bytes: number, keyframe: boolean): void {
    // One clock reading serves the messages within ARRIVAL_CLOCK_STEP_MS of media of it (see limits.ts), and, where
    // the bridge marks its reads (`received`), every later message of the same read within MARKED_READ_MEDIA_MS.
    const step = Math.abs(dts - this.clockDts);
    if ((this.clockRead !== this.reads || !this.readsMarked || step >= MARKED_READ_MEDIA_MS) && step >= ARRIVAL_CLOCK_STEP_MS) {
      const now = this.now();
      this.clockRead = this.reads;
      // Only a fresh reading says anything about silence: a stall that `tick` already counted is not counted again.
      if (now - this.lastArrival > this.stallMs && !this.stallOpen) this.stalls++;
      this.stallOpen = false;
      this.clockReading = now;
      this.clockDts = dts;
      // Every frame takes the last reading (the first frame takes one), so the newest frame's arrival is it.
      this.lastArrival = now;
    }
    const arrival = this.clockReading;
    if (video) {
      if (this.videoTrack === undefined) this.videoTrack = bareTrack(p.codec);
      this.video.record(dts, bytes, keyframe, arrival);
    } else {
      if (this.audioTrack === undefined) this.describeFirstAudio(p);
      this.audio.record(dts, bytes, true, arrival);
    }
    if (dts >= this.newestDts) {
      this.newestDts = dts;
      this.newestArrival = arrival;
    }
  }

  /** The arrival clock now: ms since the publish started (the server's clock read from its origin, a test's called). */
  now(): number {
    return this.inlineClock ? elapsedSince(this.origin) : this.elapsed();
  }

  /**
   * The bridge is about to push the messages of one read of its input. They are handled in one synchronous run, so
   * they all arrive at the same moment (to within the time that run takes): the first that needs a clock reading
   * takes one, the rest share it (within MARKED_READ_MEDIA_MS of media). A merged read of 200 ms of media then costs
   * one reading instead of four. This is the moment each message reached the server, as before; rates still come
   * from media time.
   */
  received(): void {
    this.reads++;
    this.readsMarked = true;
  }

  setMetadata(m: StreamMetadata): void {
    this.metadata = m;
  }

  /** Ms since the last frame of any track (since the publish started before the first); `now` from elapsed(). */
  silenceMs(now: number): number {
    return now - (Number.isNaN(this.lastArrival) ? 0 : this.lastArrival);
  }

  /** Once per evaluation (`now` from elapsed()). A stall under way is counted here, once; `record` counts one that ended between evaluations. */
  tick(now: number): void {
    this.video.tick();
    this.audio.tick();
    if (!this.stallOpen && this.silenceMs(now) > this.stallMs && !Number.isNaN(this.lastArrival)) {
      this.stalls++;
      this.stallOpen = true;
    }
    if (Number.isNaN(this.newestArrival) || this.newestArrival < DRIFT_SETTLE_MS) return;
    const i = this.ticks % TICK_RING_SIZE;
    this.tickArrival[i] = this.newestArrival;
    this.tickDts[i] = this.newestDts;
    this.ticks++;
  }

  /**
   * Wall-clock ms and media ms covered between the reading `back` evaluations ago and the newest, in one object this
   * meter reuses (valid until the next call: read it at once).
   */
  span(back: number): { readonly wallMs: number; readonly mediaMs: number } | null {
    if (this.ticks < 2) return null;
    const k = Math.min(back, this.ticks - 1, TICK_RING_SIZE - 1);
    const newest = (this.ticks - 1) % TICK_RING_SIZE;
    const old = (this.ticks - 1 - k) % TICK_RING_SIZE;
    const out = this.spanOut;
    out.wallMs = this.tickArrival[newest]! - this.tickArrival[old]!;
    out.mediaMs = this.tickDts[newest]! - this.tickDts[old]!;
    return out;
  }

  private config(p: MediaPacket): void {
    const previous = p.kind === 'video' ? this.videoConfig : this.audioConfig;
    // Some encoders repeat the configuration before every keyframe: only a different one is news.
    if (previous?.equals(p.data)) return;
    if (previous) this.configChanges++;
    if (p.kind === 'video') this.videoConfig = p.data;
    else this.audioConfig = p.data;
    const described = describe(p);
    if (p.kind === 'video') this.videoTrack = described;
    else this.audioTrack = described;
  }

  /** MP3 has no configuration record: its first frame header says what it is. */
  private describeFirstAudio(p: MediaPacket): void {
    this.audioTrack = p.codec === '.mp3' ? describe(p) : bareTrack(p.codec);
  }
}

function describe(p: MediaPacket): TrackDescription {
  try {
    return describeTrack(describeConfig(p));
  } catch {
    // A truncated or absurd configuration: the codec is still known; the relay's own checks deal with the rest.
    return bareTrack(p.codec);
  }
}
