import { LATE_FRAME_MS, MEDIA_GAP_MS, MEDIA_RING_SECONDS } from './limits.js';

const SLOT_MASK = MEDIA_RING_SECONDS - 1;
/** Evaluations the arrival alignment (earliest arrival relative to media time) is taken over: about 10 s. */
const ALIGNMENT_TICKS = 10;

/** Sums over whole media seconds of one track. */
export interface TrackWindow {
  readonly seconds: number;
  readonly bytes: number;
  readonly frames: number;
}

const EMPTY_WINDOW: TrackWindow = { seconds: 0, bytes: 0, frames: 0 };

/**
 * One track's frames as they arrive. Rates are kept per second of media time, not of arrival, so input read in
 * bursts (merged reads hold a publisher's socket up to 200 ms) still gives steady figures: a ring of
 * MEDIA_RING_SECONDS preallocated slots of bytes, frames and the largest keyframe interval ending in that second.
 * Arrival enters only through `arrival - dts` (how late a frame is against the stream's pace). `record` is O(1)
 * and allocates nothing; readings are taken once per evaluation.
 */
export class TrackMeter {
  private readonly slotSecond = new Float64Array(MEDIA_RING_SECONDS).fill(NaN);
  private readonly slotBytes = new Float64Array(MEDIA_RING_SECONDS);
  private readonly slotFrames = new Float64Array(MEDIA_RING_SECONDS);
  private readonly slotKeyMax = new Float64Array(MEDIA_RING_SECONDS);
  private readonly minOffsets = new Float64Array(ALIGNMENT_TICKS).fill(Infinity);
  private minOffsetIndex = 0;
  private tickMinOffset = Infinity;
  private lateBaseline = Infinity;
  /** The media second the last frame landed in: [secondStart, secondEnd) ms, and its ring slot. */
  private secondStart = Infinity;
  private secondEnd = -Infinity;
  private slot = 0;
  frames = 0;
  firstDts = NaN;
  lastDts = NaN;
  /** Arrival of the newest frame (IngestMeter.elapsed(): ms since the publish started). */
  lastArrival = NaN;
  lastKeyDts = NaN;
  /** Media ms between the last two keyframes (video). */
  lastKeyInterval = NaN;
  gaps = 0;
  late = 0;

  /** @param keyframed video: keyframe intervals are measured (audio frames are all "keyframes"). */
  constructor(private readonly keyframed: boolean) {}

  get present(): boolean {
    return this.frames > 0;
  }

  record(dts: number, bytes: number, keyframe: boolean, arrival: number): void {
    // Most frames land in the same media second as the one before: the slot is looked up once per second.
    if (dts >= this.secondEnd || dts < this.secondStart) this.enterSecond(dts);
    const slot = this.slot;
    this.slotBytes[slot] = this.slotBytes[slot]! + bytes;
    this.slotFrames[slot] = this.slotFrames[slot]! + 1;
    if (this.frames === 0) this.firstDts = dts;
    else if (dts - this.lastDts > MEDIA_GAP_MS) this.gaps++;
    if (this.keyframed && keyframe) {
      if (!Number.isNaN(this.lastKeyDts)) {
        const interval = dts - this.lastKeyDts;
        this.lastKeyInterval = interval;
        if (interval > this.slotKeyMax[slot]!) this.slotKeyMax[slot] = interval;
      }
      this.lastKeyDts = dts;
    }
    const offset = arrival - dts;
    if (offset < this.tickMinOffset) this.tickMinOffset = offset;
    if (offset - this.lateBaseline > LATE_FRAME_MS) this.late++;
    this.frames++;
    this.lastDts = dts;
    this.lastArrival = arrival;
  }

  private enterSecond(dts: number): void {
    const second = Math.floor(dts / 1000);
    const slot = second & SLOT_MASK;
    if (this.slotSecond[slot] !== second) {
      this.slotSecond[slot] = second;
      this.slotBytes[slot] = 0;
      this.slotFrames[slot] = 0;
      this.slotKeyMax[slot] = 0;
    }
    this.slot = slot;
    this.secondStart = second * 1000;
    this.secondEnd = this.secondStart + 1000;
  }

  /** Once per evaluation: closes this evaluation's alignment reading. */
  tick(): void {
    this.minOffsets[this.minOffsetIndex] = this.tickMinOffset;
    this.minOffsetIndex = (this.minOffsetIndex + 1) % ALIGNMENT_TICKS;
    this.tickMinOffset = Infinity;
    let min = Infinity;
    for (let i = 0; i < ALIGNMENT_TICKS; i++) min = Math.min(min, this.minOffsets[i]!);
    this.lateBaseline = min;
  }

  /**
   * The earliest `arrival - dts` over about the last 10 s: where this track's pace sits against the clock.
   * Comparing two tracks' alignments gives their A/V offset; null without frames in the window.
   */
  get alignment(): number | null {
    return this.lateBaseline === Infinity ? null : this.lateBaseline;
  }

  /**
   * The last `n` whole media seconds before the second being filled (fewer right after the start: only seconds
   * the track fully covered count). Seconds with no frame count as empty, so a gap lowers the rate.
   */
  window(n: number): TrackWindow {
    if (this.frames === 0) return EMPTY_WINDOW;
    const newest = Math.floor(this.lastDts / 1000);
    const from = Math.max(Math.ceil(this.firstDts / 1000), newest - n);
    if (from >= newest) return EMPTY_WINDOW;
    let bytes = 0;
    let frames = 0;
    for (let s = from; s < newest; s++) {
      const slot = s & SLOT_MASK;
      if (this.slotSecond[slot] !== s) continue;
      bytes += this.slotBytes[slot]!;
      frames += this.slotFrames[slot]!;
    }
    return { seconds: newest - from, bytes, frames };
  }

  /** The largest keyframe interval that ended in the last `n` media seconds (the one being filled included). */
  maxKeyInterval(n: number): number | null {
    if (this.frames === 0) return null;
    const newest = Math.floor(this.lastDts / 1000);
    let max = 0;
    for (let s = newest - n; s <= newest; s++) {
      const slot = s & SLOT_MASK;
      if (this.slotSecond[slot] === s) max = Math.max(max, this.slotKeyMax[slot]!);
    }
    return max > 0 ? max : null;
  }
}
