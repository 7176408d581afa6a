import { takeAll } from '../../core/scratch-list.js';
import { buildFragment, type Fmp4FragmentPart, type Fmp4Sample } from '../../formats/fmp4/index.js';
import type { HlsTrack } from './hls-tracks.js';
import { AUDIO_BEHIND_FRAMES, MAX_PARTS_PER_SEGMENT, MAX_SEGMENT_MS } from './limits.js';
import { partTargetCeilingMs } from './part-target.js';

/** One track's samples inside a part, in the track's timescale. */
export interface TrackRun {
  readonly track: HlsTrack;
  readonly samples: Fmp4Sample[];
}

/** A closed part: one CMAF chunk (moof + mdat) as zero-copy buffers. */
export interface HlsPart {
  readonly msn: number;
  readonly index: number;
  readonly startMs: number;
  readonly durationMs: number;
  /** Starts with a sync sample of the main track (EXT-X-PART INDEPENDENT=YES). */
  readonly independent: boolean;
  /** `[moof + mdat header, ...sample payloads]` (buildFragment). */
  readonly chunks: readonly Buffer[];
  readonly bytes: number;
  readonly runs: readonly TrackRun[];
}

/** A closed segment: its parts in order; the segment's bytes are the parts' chunks concatenated. */
export interface HlsSegment {
  readonly msn: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly parts: readonly HlsPart[];
  readonly bytes: number;
  /** The first sample of the main track is a sync sample (false only for a forced cut, MAX_SEGMENT_MS). */
  readonly independent: boolean;
}

/** A video frame held back until the next frame's dts gives its duration (track timescale, and its ms dts). */
interface HeldFrame {
  readonly dts: number;
  readonly cts: number;
  readonly keyframe: boolean;
  readonly data: Buffer;
  readonly dtsMs: number;
}

function heldSample(h: HeldFrame, duration: number): Fmp4Sample {
  return { dts: h.dts, cts: h.cts, duration, keyframe: h.keyframe, data: h.data };
}

export type SegmenterEvent =
  | { readonly type: 'part'; readonly part: HlsPart }
  | { readonly type: 'segment'; readonly segment: HlsSegment }
  /** MSNs `fromMsn`..`toMsn - 1` skipped to follow the leader (see SegmentFollower.leaderMsnAt); before the next segment's parts. */
  | { readonly type: 'skip'; readonly fromMsn: number; readonly toMsn: number; readonly atMs: number };

export interface SegmenterInput {
  readonly dtsMs: number;
  readonly ctsMs: number;
  readonly keyframe: boolean;
  readonly data: Buffer;
}

interface OpenPart {
  index: number;
  startMs: number;
  independent: boolean;
  runs: Map<HlsTrack, Fmp4Sample[]>;
  mainSamples: number;
}

interface OpenSegment {
  msn: number;
  startMs: number;
  parts: HlsPart[];
  bytes: number;
  independent: boolean;
}

export interface SegmenterOptions {
  readonly segmentMs: number;
  /** Part target; undefined = one part per segment (standard HLS). */
  readonly partMs: number | undefined;
  readonly firstMsn: number;
  /** mfhd sequence_number of the first fragment (kept rising across publisher sessions). */
  readonly firstFragmentSeq: number;
  /** Cut where another segmenter cut (ABR renditions follow their source, see rendition-alignment.ts). */
  readonly follow?: SegmentFollower;
  /** The advertised PART-TARGET (ms) no part may exceed; absent = the part target + PART_TARGET_HEADROOM. */
  readonly partCeilingMs?: () => number;
}

/** The segment boundaries and numbers of a leading segmenter, asked at media times of this one. */
export interface SegmentFollower {
  /**
   * At a video keyframe: true = the leader started a segment here (cut), false = it did not (no cut but
   * the MAX_SEGMENT_MS cap), undefined = unknown (the segment-target rule).
   */
  cutAt(dtsMs: number): boolean | undefined;
  /** MSN of the leader's segment at this time, for this segmenter's first segment; undefined = firstMsn. */
  msnAt?(dtsMs: number): number | undefined;
  /**
   * MSN of the leader's segment starting at this cut (one it followed), asked at every later cut: when media
   * between two cuts never reached this segmenter (a transcoder restart starts again from the source's latest
   * keyframe, past the one the last run reached), the leader cut in between and its numbers run ahead; this
   * segmenter skips the same MSNs (a `skip` event, for the owner to fill) so MSN N stays the same media.
   */
  leaderMsnAt?(dtsMs: number): number | undefined;
}

/**
 * Cuts one publisher session's samples into parts and segments (sans-IO: push in, events out).
 * The main track (video if any, else audio) decides the cuts: a segment ends at the first video keyframe
 * at or past the segment target, a part before the sample that would take it past the part target, so
 * parts stay <= PART-TARGET (rfc8216bis §4.4.4.9) for regular frame spacing. Video durations come from
 * the next sample's dts (one sample held back); audio runs on its own clock of whole frames so its
 * timeline has no ms-rounding jitter, resynchronised when the stamps drift more than a frame.
 */
export class Segmenter {
  readonly stats = { audioDropped: 0, partsDropped: 0, lastError: '' };
  private segment: OpenSegment | undefined;
  private part: OpenPart | undefined;
  /** The newest main-track video frame, waiting for the next one's dts to know its duration. */
  private held: HeldFrame | undefined;
  /** Reused by push: most samples close nothing, and those return without allocating (takeAll). */
  private readonly scratch: SegmenterEvent[] = [];
  /** The track that decides cuts (video if any, else the first). */
  readonly main: HlsTrack;
  private lastMainDeltaMs = 0;
  private lastMainMs: number | undefined;
  private readonly audioClock = new Map<HlsTrack, number>();
  private nextMsnValue: number;
  private fragmentSeqValue: number;

  constructor(
    readonly tracks: readonly HlsTrack[],
    private readonly options: SegmenterOptions,
  ) {
    this.nextMsnValue = options.firstMsn;
    this.fragmentSeqValue = options.firstFragmentSeq;
    this.main = tracks.find((t) => t.kind === 'video') ?? tracks[0]!;
  }

  /** MSN the next segment opened will get (after a flush: the next session's first MSN). */
  get nextMsn(): number {
    return this.nextMsnValue;
  }

  get nextFragmentSeq(): number {
    return this.fragmentSeqValue;
  }

  /**
   * Gives the next `count` MSNs to segments made elsewhere (EXT-X-GAP segments for a publisher's absence); only
   * before this segmenter opened its first segment, so its numbering stays in order.
   */
  reserveMsns(count: number): void {
    if (this.segment || this.nextMsnValue !== this.options.firstMsn) throw new Error('reserveMsns after the first segment');
    this.nextMsnValue += count;
  }

  /** True when a sample of `track` would open the first segment now (a main-track sync sample). */
  opensSegment(track: HlsTrack, keyframe: boolean): boolean {
    return !this.segment && track === this.main && (keyframe || track.kind !== 'video');
  }

  /** The open segment's MSN and start (ABR renditions follow it). */
  get openSegmentStart(): { msn: number; startMs: number } | undefined {
    return this.segment ? { msn: this.segment.msn, startMs: this.segment.startMs } : undefined;
  }

  /** The open segment's MSN and closed part count (for preload hints and blocking reload). */
  get progress(): { msn: number; parts: number } | undefined {
    return this.segment ? { msn: this.segment.msn, parts: this.segment.parts.length } : undefined;
  }

  push(track: HlsTrack, input: SegmenterInput): readonly SegmenterEvent[] {
    const events = this.scratch;
    if (track === this.main) this.pushMain(track, input, events);
    else if (this.part) this.commit(track, this.audioSample(track, input));
    return takeAll(events);
  }

  /** Ends the session: the held sample goes out with the last frame interval, the open segment closes. */
  flush(): SegmenterEvent[] {
    const events: SegmenterEvent[] = [];
    if (!this.segment) return events;
    let endMs = this.lastMainMs ?? this.segment.startMs;
    if (this.held) {
      const d = Math.max(1, this.lastMainDeltaMs);
      this.commit(this.main, heldSample(this.held, Math.round(d * this.main.fmp4.timescale / 1000)));
      endMs = this.held.dtsMs + d;
      this.held = undefined;
    } else if (this.main.kind === 'audio') {
      endMs += this.lastMainDeltaMs;
    }
    this.closePart(endMs, events);
    this.closeSegment(endMs, events);
    return events;
  }

  private pushMain(track: HlsTrack, input: SegmenterInput, events: SegmenterEvent[]): void {
    const isVideo = track.kind === 'video';
    if (!this.segment) {
      if (isVideo && !input.keyframe) return; // a segment starts with a sync sample (§4.3.2.4 independence)
      this.openSegment(input.dtsMs, true);
    }
    if (this.held) {
      const ts = track.fmp4.timescale;
      const duration = Math.max(0, Math.round(input.dtsMs * ts / 1000) - this.held.dts);
      this.commit(track, heldSample(this.held, duration));
      this.held = undefined;
    }
    if (this.lastMainMs !== undefined && input.dtsMs > this.lastMainMs) this.lastMainDeltaMs = input.dtsMs - this.lastMainMs;
    this.lastMainMs = input.dtsMs;

    const seg = this.segment!;
    const part = this.part!;
    const segAge = input.dtsMs - seg.startMs;
    const sync = !isVideo || input.keyframe;
    const led = sync && isVideo && part.mainSamples > 0 ? this.options.follow?.cutAt(input.dtsMs) : undefined;
    if (part.mainSamples > 0 && ((sync && (led ?? segAge >= this.options.segmentMs)) || segAge >= MAX_SEGMENT_MS)) {
      this.closePart(input.dtsMs, events);
      this.closeSegment(input.dtsMs, events);
      if (led === true) this.catchUpWithLeader(input.dtsMs, events);
      this.openSegment(input.dtsMs, sync);
    } else if (part.mainSamples > 0 && this.partFull(part, input.dtsMs)) {
      this.closePart(input.dtsMs, events);
      this.openPart(input.dtsMs, sync);
    }
    if (isVideo) {
      const ts = track.fmp4.timescale;
      this.held = {
        dts: Math.round(input.dtsMs * ts / 1000), cts: Math.round(input.ctsMs * ts / 1000), keyframe: input.keyframe, data: input.data,
        dtsMs: input.dtsMs,
      };
    } else {
      this.commit(track, this.audioSample(track, input));
    }
    this.part!.mainSamples++;
  }

  /**
   * Closing before this sample is nearer the target than taking one more frame interval (like the last): parts
   * are the whole number of frames closest to the target, within half a frame of it either way, never past the
   * advertised PART-TARGET (part-target.ts: fitted to the cadence, at most target + PART_TARGET_HEADROOM), so every
   * non-final part is >= 85 % of it and <= it (rfc8216bis
   * §4.4.4.9) when half a frame fits in the headroom (200 ms parts: >= 17 fps; 100 ms parts: >= 34 fps, below that
   * the ceiling wins and parts may be short). (Closing before the target was passed gave 167 ms parts at 24 fps.)
   */
  private partFull(part: OpenPart, nextMs: number): boolean {
    const target = this.options.partMs;
    if (target === undefined) return false;
    if (this.segment!.parts.length + 1 >= MAX_PARTS_PER_SEGMENT) return false;
    const delta = this.lastMainDeltaMs;
    // Never past the advertised PART-TARGET (a MUST), even where half a frame is more than the headroom.
    const ceiling = this.options.partCeilingMs?.() ?? partTargetCeilingMs(target);
    return nextMs + delta - part.startMs > Math.min(target + delta / 2, ceiling);
  }

  /**
   * Audio dts from the track's frame clock. Stamps within a frame of the clock follow it (ms rounding);
   * a stamp further ahead is a gap and resynchronises; a stamp more than AUDIO_BEHIND_FRAMES behind means
   * the clock ran ahead of the source, and the frame is dropped until the stamps catch up (a run's
   * timeline can never go back). Between, the clock wins.
   */
  private audioSample(track: HlsTrack, input: SegmenterInput): Fmp4Sample | undefined {
    const frame = track.frameDuration ?? 1024;
    const stamped = Math.round(input.dtsMs * track.fmp4.timescale / 1000);
    const clock = this.audioClock.get(track);
    let dts = stamped;
    if (clock !== undefined && stamped <= clock + frame) {
      if (stamped < clock - AUDIO_BEHIND_FRAMES * frame) {
        this.stats.audioDropped++;
        return undefined;
      }
      dts = clock;
    }
    this.audioClock.set(track, dts + frame);
    return { dts, cts: 0, duration: frame, keyframe: true, data: input.data };
  }

  private commit(track: HlsTrack, s: Fmp4Sample | undefined): void {
    const part = this.part;
    if (!part || !s) return;
    let run = part.runs.get(track);
    if (!run) part.runs.set(track, (run = []));
    const last = run[run.length - 1];
    // A sample list must be contiguous (buildFragment checks dts against durations): a resync of the
    // audio clock stretches or shrinks the previous sample instead of leaving a hole inside the run.
    if (last && last.dts + last.duration !== s.dts) {
      if (s.dts < last.dts) return; // never back inside a run (video dts are monotonic from the hub)
      run[run.length - 1] = { ...last, duration: s.dts - last.dts };
    }
    run.push(s);
  }

  private catchUpWithLeader(startMs: number, events: SegmenterEvent[]): void {
    const led = this.options.follow?.leaderMsnAt?.(startMs);
    if (led === undefined || led <= this.nextMsnValue) return;
    events.push({ type: 'skip', fromMsn: this.nextMsnValue, toMsn: led, atMs: startMs });
    this.nextMsnValue = led;
  }

  private openSegment(startMs: number, independent: boolean): void {
    if (this.nextMsnValue === this.options.firstMsn) {
      // The first segment takes the leader's number, so MSN N is the same media in both (never going back).
      const led = this.options.follow?.msnAt?.(startMs);
      if (led !== undefined && led > this.nextMsnValue) this.nextMsnValue = led;
    }
    this.segment = { msn: this.nextMsnValue++, startMs, parts: [], bytes: 0, independent };
    this.openPart(startMs, independent);
  }

  private openPart(startMs: number, independent: boolean): void {
    this.part = { index: this.segment!.parts.length, startMs, independent, runs: new Map(), mainSamples: 0 };
  }

  private closePart(endMs: number, events: SegmenterEvent[]): void {
    const part = this.part;
    const seg = this.segment!;
    this.part = undefined;
    if (!part || part.runs.size === 0) return;
    const runs: TrackRun[] = [];
    const frag: Fmp4FragmentPart[] = [];
    for (let i = 0; i < this.tracks.length; i++) {
      const track = this.tracks[i]!;
      const samples = part.runs.get(track);
      if (!samples?.length) continue;
      runs.push({ track, samples });
      frag.push({ track: track.fmp4, baseDts: samples[0]!.dts, samples });
    }
    let chunks: Buffer[];
    try {
      chunks = buildFragment(this.fragmentSeqValue++, frag);
    } catch (err) {
      // Should not happen (samples are built contiguous); lose this part rather than the stream.
      this.stats.partsDropped++;
      this.stats.lastError = (err as Error).message;
      return;
    }
    let bytes = 0;
    for (let i = 0; i < chunks.length; i++) bytes += chunks[i]!.length;
    const closed: HlsPart = {
      msn: seg.msn, index: part.index, startMs: part.startMs, durationMs: Math.max(0, endMs - part.startMs),
      independent: part.independent, chunks, bytes, runs,
    };
    seg.parts.push(closed);
    seg.bytes += bytes;
    events.push({ type: 'part', part: closed });
  }

  private closeSegment(endMs: number, events: SegmenterEvent[]): void {
    const seg = this.segment;
    this.segment = undefined;
    if (!seg || seg.parts.length === 0) return;
    events.push({
      type: 'segment',
      segment: { msn: seg.msn, startMs: seg.startMs, durationMs: Math.max(0, endMs - seg.startMs), parts: seg.parts, bytes: seg.bytes, independent: seg.independent },
    });
  }
}
