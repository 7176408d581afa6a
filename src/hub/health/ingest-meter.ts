import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { describeConfig } from '../../codecs/codec-info.js';
import { DRIFT_SETTLE_MS, TICK_RING_SIZE } from './limits.js';
import { TrackMeter } from './track-meter.js';
import { bareTrack, describeTrack, type TrackDescription } from './track-description.js';

/**
 * One publish's ingest as it arrives: two TrackMeters, the decoder configurations described once per change,
 * stalls, and per evaluation where the newest frame sat in media time and in arrival time (for media rate and
 * drift). `record` runs per packet: O(1), no allocation except for a changed codec configuration.
 */
export class IngestMeter {
  readonly video = new TrackMeter(true);
  readonly audio = new TrackMeter(false);
  videoTrack: TrackDescription | undefined;
  audioTrack: TrackDescription | undefined;
  metadata: StreamMetadata | undefined;
  configChanges = 0;
  stalls = 0;
  /** Monotonic ms of the newest frame of any track, and the newest dts of any track. */
  lastArrival = NaN;
  private newestDts = -Infinity;
  private newestArrival = NaN;
  private stallOpen = false;
  private videoConfig: Buffer | undefined;
  private audioConfig: Buffer | undefined;
  private readonly tickArrival = new Float64Array(TICK_RING_SIZE);
  private readonly tickDts = new Float64Array(TICK_RING_SIZE);
  private ticks = 0;

  /** @param startedAt monotonic ms of the publish start. @param stallMs a silence over this is a stall. */
  constructor(readonly startedAt: number, private readonly stallMs: number) {}

  record(p: MediaPacket, arrival: number): void {
    if (p.role === 'config') {
      this.config(p);
      return;
    }
    if (p.role !== 'frame') return;
    const bytes = p.data.length;
    if (p.kind === 'video') {
      if (this.videoTrack === undefined) this.videoTrack = bareTrack(p.codec);
      this.video.record(p.dts, bytes, p.keyframe, arrival);
    } else {
      if (this.audioTrack === undefined) this.describeFirstAudio(p);
      this.audio.record(p.dts, bytes, true, arrival);
    }
    if (arrival - this.lastArrival > this.stallMs && !this.stallOpen) this.stalls++;
    this.stallOpen = false;
    this.lastArrival = arrival;
    if (p.dts >= this.newestDts) {
      this.newestDts = p.dts;
      this.newestArrival = arrival;
    }
  }

  setMetadata(m: StreamMetadata): void {
    this.metadata = m;
  }

  /** Monotonic ms since the last frame of any track (since the publish started before the first). */
  silenceMs(now: number): number {
    return now - (Number.isNaN(this.lastArrival) ? this.startedAt : this.lastArrival);
  }

  /** Once per evaluation. A stall under way is counted here, once; `record` counts one that ended between evaluations. */
  tick(now: number): void {
    this.video.tick();
    this.audio.tick();
    if (!this.stallOpen && this.silenceMs(now) > this.stallMs && !Number.isNaN(this.lastArrival)) {
      this.stalls++;
      this.stallOpen = true;
    }
    if (Number.isNaN(this.newestArrival) || this.newestArrival - this.startedAt < DRIFT_SETTLE_MS) return;
    const i = this.ticks % TICK_RING_SIZE;
    this.tickArrival[i] = this.newestArrival;
    this.tickDts[i] = this.newestDts;
    this.ticks++;
  }

  /** Wall-clock ms and media ms covered between the reading `back` evaluations ago and the newest. */
  span(back: number): { wallMs: number; mediaMs: number } | null {
    if (this.ticks < 2) return null;
    const k = Math.min(back, this.ticks - 1, TICK_RING_SIZE - 1);
    const newest = (this.ticks - 1) % TICK_RING_SIZE;
    const old = (this.ticks - 1 - k) % TICK_RING_SIZE;
    return { wallMs: this.tickArrival[newest]! - this.tickArrival[old]!, mediaMs: this.tickDts[newest]! - this.tickDts[old]! };
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
