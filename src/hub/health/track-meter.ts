import { LATE_FRAME_MS, LONG_WINDOW_S, MEDIA_GAP_MS, MEDIA_RING_SECONDS, SHORT_WINDOW_S } from './limits.js';

const SLOT_MASK = MEDIA_RING_SECONDS - 1;
/** Evaluations the arrival alignment (earliest arrival relative to media time) is taken over: about 10 s. */
const ALIGNMENT_TICKS = 10;

/**
 * Sums over the last 1, SHORT_WINDOW_S and LONG_WINDOW_S whole media seconds of one track (`seconds`: how many the
 * track fully covered, fewer right after the start) and the largest keyframe interval that ended in the last
 * LONG_WINDOW_S seconds (the one being filled included; 0: none). Filled in place by TrackMeter.measure, once per
 * evaluation: one preallocated object per track, so an evaluation reads its windows without allocating.
 */
export class TrackWindows {
  oneSeconds = 0;
  oneBytes = 0;
  oneFrames = 0;
  shortSeconds = 0;
  shortBytes = 0;
  shortFrames = 0;
  longSeconds = 0;
  longBytes = 0;
  longFrames = 0;
  keyMax = 0;
}

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
  /**
   * The second being filled, summed in fields of this object and written to its ring slot only when the second
   * changes or the windows are read: a frame then touches this object alone, not four typed arrays (each its own
   * cache line, cold in a server that runs many other things between two frames of a stream).
   */
  private curBytes = 0;
  private curFrames = 0;
  private curKeyMax = 0;
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
    this.curBytes += bytes;
    this.curFrames++;
    if (this.frames === 0) this.firstDts = dts;
    else if (dts - this.lastDts > MEDIA_GAP_MS) this.gaps++;
    if (this.keyframed && keyframe) {
      if (!Number.isNaN(this.lastKeyDts)) {
        const interval = dts - this.lastKeyDts;
        this.lastKeyInterval = interval;
        if (interval > this.curKeyMax) this.curKeyMax = interval;
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
    this.flush();
    const second = Math.floor(dts / 1000);
    const slot = second & SLOT_MASK;
    if (this.slotSecond[slot] !== second) {
      this.slotSecond[slot] = second;
      this.curBytes = this.curFrames = this.curKeyMax = 0;
    } else {
      // back to a second already filled (a timestamp stepping back): go on from its sums
      this.curBytes = this.slotBytes[slot]!;
      this.curFrames = this.slotFrames[slot]!;
      this.curKeyMax = this.slotKeyMax[slot]!;
    }
    this.slot = slot;
    this.secondStart = second * 1000;
    this.secondEnd = this.secondStart + 1000;
  }

  /** Writes the second being filled to its slot (before any frame, there is none). */
  private flush(): void {
    if (this.secondEnd === -Infinity) return;
    const slot = this.slot;
    this.slotBytes[slot] = this.curBytes;
    this.slotFrames[slot] = this.curFrames;
    this.slotKeyMax[slot] = this.curKeyMax;
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
   * Reads every window in one pass over the last LONG_WINDOW_S + 1 slots into `w`. A window is the whole media
   * seconds before the one being filled (only seconds the track fully covered count, so fewer right after the
   * start); a second with no frame counts as empty, so a gap lowers the rate.
   */
  measure(w: TrackWindows): void {
    w.oneSeconds = w.oneBytes = w.oneFrames = w.shortSeconds = w.shortBytes = w.shortFrames = 0;
    w.longSeconds = w.longBytes = w.longFrames = w.keyMax = 0;
    if (this.frames === 0) return;
    this.flush();
    const newest = Math.floor(this.lastDts / 1000);
    const first = Math.ceil(this.firstDts / 1000);
    let bytes = 0;
    let frames = 0;
    let keyMax = 0;
    for (let back = 0; back <= LONG_WINDOW_S; back++) {
      const s = newest - back;
      const slot = s & SLOT_MASK;
      if (this.slotSecond[slot] === s) {
        if (this.slotKeyMax[slot]! > keyMax) keyMax = this.slotKeyMax[slot]!;
        if (back > 0 && s >= first) {
          bytes += this.slotBytes[slot]!;
          frames += this.slotFrames[slot]!;
        }
      }
      if (back === 1) {
        w.oneSeconds = covered(newest, first, 1);
        w.oneBytes = bytes;
        w.oneFrames = frames;
      } else if (back === SHORT_WINDOW_S) {
        w.shortSeconds = covered(newest, first, SHORT_WINDOW_S);
        w.shortBytes = bytes;
        w.shortFrames = frames;
      }
    }
    w.longSeconds = covered(newest, first, LONG_WINDOW_S);
    w.longBytes = bytes;
    w.longFrames = frames;
    w.keyMax = keyMax;
  }
}

/** Whole seconds of the last `n` before `newest` from `first` on. */
function covered(newest: number, first: number, n: number): number {
  return Math.max(0, newest - Math.max(first, newest - n));
}
