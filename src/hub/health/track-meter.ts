import { LATE_FRAME_MS, LONG_WINDOW_S, MEDIA_GAP_MS, MEDIA_RING_SECONDS, SHORT_WINDOW_S } from './limits.js';

const SLOT_MASK = MEDIA_RING_SECONDS - 1;
/**
 * The most media seconds the newest second may move on between two readings for the next to update the previous
 * one's sums (adding the seconds that entered, taking out those that left): the seconds that left must still be in
 * the ring, which holds MEDIA_RING_SECONDS and the windows need LONG_WINDOW_S + 1 of them.
 */
const MAX_STEP_S = MEDIA_RING_SECONDS - LONG_WINDOW_S - 1;
/** A ring slot's numbers: SLOT_FIELDS of them, at these offsets. */
const SLOT_FIELDS = 4;
const SECOND = 0;
const BYTES = 1;
const FRAMES = 2;
const KEY_MAX = 3;

function emptyRing(): Float64Array {
  const ring = new Float64Array(MEDIA_RING_SECONDS * SLOT_FIELDS);
  for (let slot = 0; slot < MEDIA_RING_SECONDS; slot++) ring[slot * SLOT_FIELDS + SECOND] = NaN;
  return ring;
}

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
  /**
   * The ring, one slot of SLOT_FIELDS numbers per media second (its second, NaN: never filled; bytes; frames; the
   * largest keyframe interval ending in it), slots side by side: entering a second and reading one touches one
   * 32-byte run of one array, not one place in each of four (each its own cache line, cold in a busy server).
   */
  private readonly ring = emptyRing();
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
  /**
   * The last reading, kept so the next one usually updates it instead of summing 61 slots again: the newest second
   * it saw (NaN: none to go on from), its 10 s and 60 s sums, its keyframe maximum and the second that maximum
   * ended in. `lowestEntered` and `highestEntered` bound the seconds frames landed in since: below the last
   * reading's newest a timestamp stepped back into seconds already summed, above the next reading's newest it went
   * ahead and came back (and may have taken over ring slots still in the windows); either way the next reading sums
   * again.
   */
  private readNewest = NaN;
  private readShortBytes = 0;
  private readShortFrames = 0;
  private readLongBytes = 0;
  private readLongFrames = 0;
  private readKeyMax = 0;
  private readKeyMaxSecond = NaN;
  private lowestEntered = Infinity;
  private highestEntered = -Infinity;
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
    if (second < this.lowestEntered) this.lowestEntered = second;
    if (second > this.highestEntered) this.highestEntered = second;
    const slot = second & SLOT_MASK;
    if (this.ring[slot * SLOT_FIELDS + SECOND] !== second) {
      this.ring[slot * SLOT_FIELDS + SECOND] = second;
      this.curBytes = this.curFrames = this.curKeyMax = 0;
    } else {
      // back to a second already filled (a timestamp stepping back): go on from its sums
      this.curBytes = this.ring[slot * SLOT_FIELDS + BYTES]!;
      this.curFrames = this.ring[slot * SLOT_FIELDS + FRAMES]!;
      this.curKeyMax = this.ring[slot * SLOT_FIELDS + KEY_MAX]!;
    }
    this.slot = slot;
    this.secondStart = second * 1000;
    this.secondEnd = this.secondStart + 1000;
  }

  /** Writes the second being filled to its slot (before any frame, there is none). */
  private flush(): void {
    if (this.secondEnd === -Infinity) return;
    const slot = this.slot;
    this.ring[slot * SLOT_FIELDS + BYTES] = this.curBytes;
    this.ring[slot * SLOT_FIELDS + FRAMES] = this.curFrames;
    this.ring[slot * SLOT_FIELDS + KEY_MAX] = this.curKeyMax;
  }

  /**
   * Once per evaluation: closes this evaluation's alignment reading. The minimum over the window is kept as it goes:
   * it is read again from the window only when the reading that leaves held it (this runs once a second per track,
   * too seldom to be optimized, so every step it skips counts).
   */
  tick(): void {
    const i = this.minOffsetIndex;
    const leaving = this.minOffsets[i]!;
    const entering = this.tickMinOffset;
    this.minOffsets[i] = entering;
    this.minOffsetIndex = i + 1 === ALIGNMENT_TICKS ? 0 : i + 1;
    this.tickMinOffset = Infinity;
    if (entering <= this.lateBaseline) this.lateBaseline = entering;
    else if (leaving === this.lateBaseline) {
      let min = Infinity;
      for (let k = 0; k < ALIGNMENT_TICKS; k++) if (this.minOffsets[k]! < min) min = this.minOffsets[k]!;
      this.lateBaseline = min;
    }
  }

  /**
   * The earliest `arrival - dts` over about the last 10 s: where this track's pace sits against the clock.
   * Comparing two tracks' alignments gives their A/V offset; null without frames in the window.
   */
  get alignment(): number | null {
    return this.lateBaseline === Infinity ? null : this.lateBaseline;
  }

  /**
   * Reads every window into `w`. A window is the whole media seconds before the one being filled (only seconds the
   * track fully covered count, so fewer right after the start); a second with no frame counts as empty, so a gap
   * lowers the rate. Usually (the newest second moved on by at most MAX_STEP_S and every frame since landed between
   * the last reading's newest second and this one's) this updates the last reading's sums with the few seconds that entered and left the windows, a
   * handful of slots instead of a pass over the last LONG_WINDOW_S + 1; otherwise it reads them all in one pass.
   */
  measure(w: TrackWindows): void {
    if (this.frames === 0) {
      w.oneSeconds = w.oneBytes = w.oneFrames = w.shortSeconds = w.shortBytes = w.shortFrames = 0;
      w.longSeconds = w.longBytes = w.longFrames = w.keyMax = 0;
      return;
    }
    this.flush();
    const newest = Math.floor(this.lastDts / 1000);
    const first = Math.ceil(this.firstDts / 1000);
    const previous = this.readNewest;
    if (newest >= previous && newest - previous <= MAX_STEP_S && this.lowestEntered >= previous && this.highestEntered <= newest) {
      // In real time the newest second moved on by one since the last reading (or by none): no loop needed.
      if (newest === previous + 1) this.stepOne(previous, first);
      else this.update(newest, first);
    } else this.sumAll(newest, first);
    this.readNewest = newest;
    this.lowestEntered = Infinity;
    this.highestEntered = -Infinity;
    const one = ((newest - 1) & SLOT_MASK) * SLOT_FIELDS;
    if (this.ring[one + SECOND] === newest - 1 && newest - 1 >= first) {
      w.oneBytes = this.ring[one + BYTES]!;
      w.oneFrames = this.ring[one + FRAMES]!;
    } else w.oneBytes = w.oneFrames = 0;
    // Whole seconds of the last n before `newest` from `first` on: max(0, newest - max(first, newest - n)).
    const from = newest - first;
    w.oneSeconds = from <= 0 ? 0 : from < 1 ? from : 1;
    w.shortSeconds = from <= 0 ? 0 : from < SHORT_WINDOW_S ? from : SHORT_WINDOW_S;
    w.shortBytes = this.readShortBytes;
    w.shortFrames = this.readShortFrames;
    w.longSeconds = from <= 0 ? 0 : from < LONG_WINDOW_S ? from : LONG_WINDOW_S;
    w.longBytes = this.readLongBytes;
    w.longFrames = this.readLongFrames;
    w.keyMax = this.readKeyMax;
  }

  /**
   * update() for the usual step of one second, written out: `done` (the second that was being filled at the last
   * reading) enters both windows, the seconds LONG_WINDOW_S and SHORT_WINDOW_S before it leave them, and the
   * keyframe maximum takes `done` and the new second being filled.
   */
  private stepOne(done: number, first: number): void {
    const ring = this.ring;
    let slot = (done & SLOT_MASK) * SLOT_FIELDS;
    if (ring[slot + SECOND] === done && done >= first) {
      const bytes = ring[slot + BYTES]!;
      const frames = ring[slot + FRAMES]!;
      this.readLongBytes += bytes;
      this.readLongFrames += frames;
      this.readShortBytes += bytes;
      this.readShortFrames += frames;
    }
    const longOut = done - LONG_WINDOW_S;
    slot = (longOut & SLOT_MASK) * SLOT_FIELDS;
    if (ring[slot + SECOND] === longOut && longOut >= first) {
      this.readLongBytes -= ring[slot + BYTES]!;
      this.readLongFrames -= ring[slot + FRAMES]!;
    }
    const shortOut = done - SHORT_WINDOW_S;
    slot = (shortOut & SLOT_MASK) * SLOT_FIELDS;
    if (ring[slot + SECOND] === shortOut && shortOut >= first) {
      this.readShortBytes -= ring[slot + BYTES]!;
      this.readShortFrames -= ring[slot + FRAMES]!;
    }
    const newest = done + 1;
    if (this.readKeyMaxSecond < newest - LONG_WINDOW_S) {
      this.keyMaxAll(newest);
      return;
    }
    slot = (done & SLOT_MASK) * SLOT_FIELDS;
    if (ring[slot + SECOND] === done && ring[slot + KEY_MAX]! > this.readKeyMax) {
      this.readKeyMax = ring[slot + KEY_MAX]!;
      this.readKeyMaxSecond = done;
    }
    slot = (newest & SLOT_MASK) * SLOT_FIELDS;
    if (ring[slot + SECOND] === newest && ring[slot + KEY_MAX]! > this.readKeyMax) {
      this.readKeyMax = ring[slot + KEY_MAX]!;
      this.readKeyMaxSecond = newest;
    }
  }

  /** The sums and keyframe maximum of the windows ending at `newest`, from every slot they cover. */
  private sumAll(newest: number, first: number): void {
    let bytes = 0;
    let frames = 0;
    let keyMax = 0;
    let keyMaxSecond = NaN;
    for (let back = 0; back <= LONG_WINDOW_S; back++) {
      const s = newest - back;
      const slot = s & SLOT_MASK;
      if (this.ring[slot * SLOT_FIELDS + SECOND] === s) {
        if (this.ring[slot * SLOT_FIELDS + KEY_MAX]! > keyMax) {
          keyMax = this.ring[slot * SLOT_FIELDS + KEY_MAX]!;
          keyMaxSecond = s;
        }
        if (back > 0 && s >= first) {
          bytes += this.ring[slot * SLOT_FIELDS + BYTES]!;
          frames += this.ring[slot * SLOT_FIELDS + FRAMES]!;
        }
      }
      if (back === SHORT_WINDOW_S) {
        this.readShortBytes = bytes;
        this.readShortFrames = frames;
      }
    }
    this.readLongBytes = bytes;
    this.readLongFrames = frames;
    this.readKeyMax = keyMax;
    this.readKeyMaxSecond = keyMaxSecond;
  }

  /**
   * The last reading's sums moved from `readNewest` to `newest`: the seconds from the old newest (then being filled,
   * now whole) up to the new one enter, those that fell out of each window leave. Nothing summed changed since (the
   * caller checked), so taking out a second takes out what went in.
   */
  private update(newest: number, first: number): void {
    const previous = this.readNewest;
    for (let s = previous; s < newest; s++) {
      const slot = s & SLOT_MASK;
      if (this.ring[slot * SLOT_FIELDS + SECOND] !== s || s < first) continue;
      const bytes = this.ring[slot * SLOT_FIELDS + BYTES]!;
      const frames = this.ring[slot * SLOT_FIELDS + FRAMES]!;
      this.readLongBytes += bytes;
      this.readLongFrames += frames;
      this.readShortBytes += bytes;
      this.readShortFrames += frames;
    }
    for (let s = previous - LONG_WINDOW_S; s < newest - LONG_WINDOW_S; s++) {
      const slot = s & SLOT_MASK;
      if (this.ring[slot * SLOT_FIELDS + SECOND] !== s || s < first) continue;
      this.readLongBytes -= this.ring[slot * SLOT_FIELDS + BYTES]!;
      this.readLongFrames -= this.ring[slot * SLOT_FIELDS + FRAMES]!;
    }
    for (let s = previous - SHORT_WINDOW_S; s < newest - SHORT_WINDOW_S; s++) {
      const slot = s & SLOT_MASK;
      if (this.ring[slot * SLOT_FIELDS + SECOND] !== s || s < first) continue;
      this.readShortBytes -= this.ring[slot * SLOT_FIELDS + BYTES]!;
      this.readShortFrames -= this.ring[slot * SLOT_FIELDS + FRAMES]!;
    }
    // The keyframe maximum counts the second being filled too: the old newest may have grown since, so it is read
    // again with the ones after it. When the second the maximum ended in leaves the window, the maximum is read anew.
    if (this.readKeyMaxSecond < newest - LONG_WINDOW_S) {
      this.keyMaxAll(newest);
      return;
    }
    for (let s = previous; s <= newest; s++) {
      const slot = s & SLOT_MASK;
      if (this.ring[slot * SLOT_FIELDS + SECOND] === s && this.ring[slot * SLOT_FIELDS + KEY_MAX]! > this.readKeyMax) {
        this.readKeyMax = this.ring[slot * SLOT_FIELDS + KEY_MAX]!;
        this.readKeyMaxSecond = s;
      }
    }
  }

  private keyMaxAll(newest: number): void {
    let keyMax = 0;
    let keyMaxSecond = NaN;
    for (let s = newest - LONG_WINDOW_S; s <= newest; s++) {
      const slot = s & SLOT_MASK;
      if (this.ring[slot * SLOT_FIELDS + SECOND] === s && this.ring[slot * SLOT_FIELDS + KEY_MAX]! >= keyMax && this.ring[slot * SLOT_FIELDS + KEY_MAX]! > 0) {
        keyMax = this.ring[slot * SLOT_FIELDS + KEY_MAX]!;
        keyMaxSecond = s;
      }
    }
    this.readKeyMax = keyMax;
    this.readKeyMaxSecond = keyMaxSecond;
  }
}
