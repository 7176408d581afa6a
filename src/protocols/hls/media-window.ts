import type { HlsPart, HlsSegment } from './segmenter.js';
import { MAX_ABSENCE_GAPS, MAX_WINDOW_BYTES } from './limits.js';
import type { HlsTrack } from './hls-tracks.js';

/** One publisher session's track set; a new one starts after a reconnect or a codec change. */
export interface HlsSession {
  readonly id: number;
  readonly tracks: readonly HlsTrack[];
}

/** What a segment carries beyond its media: playlist tags decided by the packager. */
export interface SegmentTags {
  /** EXT-X-DISCONTINUITY before this segment (a new publisher session). */
  readonly discontinuity: boolean;
  /** Which init segment (EXT-X-MAP) decodes it. */
  readonly initId: number;
  /** EXT-X-PROGRAM-DATE-TIME, epoch ms. */
  readonly programDateTime: number;
  /** The publisher session that produced it (its tracks, for MPEG-TS). */
  readonly session: HlsSession;
}

export interface WindowSegment extends HlsSegment, SegmentTags {
  /** EXT-X-GAP: stands for media that never arrived (the publisher was away, rfc8216bis §6.2.1); its URI answers a fragment without media (gap-segment.ts). */
  readonly gap?: true;
  /**
   * An EXT-X-GAP segment's tfdt per track of its session (`session.tracks` order, each track's timescale): where the
   * timeline of the segment before it stands, so its fragment continues it. Absent: its start (`startMs`) in each.
   */
  readonly gapDts?: readonly number[];
}

/** A part by its segment's Media Sequence Number and its Part Index. */
export interface PartRef {
  readonly msn: number;
  readonly index: number;
}

/** The segment being produced: its closed parts so far. */
export interface OpenSegmentView extends SegmentTags {
  readonly msn: number;
  readonly parts: HlsPart[];
}

/**
 * The bounded window of one rendition: complete segments (oldest first, at most `maxSegments` with media and
 * MAX_WINDOW_BYTES), the segment in progress, and the counters that survive eviction (media and
 * discontinuity sequence, RFC 8216 §6.2.2). Everything outside it answers 404.
 *
 * EXT-X-GAP segments (a publisher's absence, absence-gaps.ts) are listed beside the media segments, not counted
 * among them (at most MAX_ABSENCE_GAPS of them): an absence longer than the window still reaches back to where
 * the players stand, and no media is evicted for segments that have none. They go with the oldest media: once
 * `maxSegments` media segments follow them, by then long played through.
 */
export class MediaWindow {
  readonly segments: WindowSegment[] = [];
  private currentRef: OpenSegmentView | undefined;
  private discontinuitySeq = 0;
  private bytes = 0;
  private gaps = 0;

  constructor(private readonly maxSegments: number) {}

  get current(): OpenSegmentView | undefined {
    return this.currentRef;
  }

  get discontinuitySequence(): number {
    return this.discontinuitySeq;
  }

  /**
   * An empty window continuing another packager's playlist (resume.ts): its EXT-X-DISCONTINUITY-SEQUENCE starts
   * at `sequence`, the discontinuity number of that playlist's last segment.
   */
  continueDiscontinuities(sequence: number): void {
    if (this.segments.length > 0 || this.currentRef) throw new Error('continueDiscontinuities on a window with media');
    this.discontinuitySeq = sequence;
  }

  /** The discontinuity number of the last complete segment: the sequence plus the discontinuities still listed. */
  get lastDiscontinuity(): number {
    let n = this.discontinuitySeq;
    for (const s of this.segments) if (s.discontinuity) n++;
    return n;
  }

  get totalBytes(): number {
    return this.bytes + (this.currentRef?.parts.reduce((n, p) => n + p.bytes, 0) ?? 0);
  }

  /** MSN of the first listed segment; before any segment, the first that will be produced. */
  firstMsn(fallback: number): number {
    return this.segments[0]?.msn ?? this.currentRef?.msn ?? fallback;
  }

  /** MSN of the last complete segment, or undefined. */
  get lastCompleteMsn(): number | undefined {
    return this.segments[this.segments.length - 1]?.msn;
  }

  addPart(part: HlsPart, tags: SegmentTags): void {
    if (this.currentRef?.msn !== part.msn) this.currentRef = { msn: part.msn, parts: [], ...tags };
    this.currentRef.parts.push(part);
  }

  /** Moves the finished segment into the list and evicts the oldest beyond the bounds. */
  addSegment(seg: HlsSegment & Pick<WindowSegment, 'gapDts'>, tags: SegmentTags, gap = false): WindowSegment {
    const ws: WindowSegment = { ...seg, ...tags, ...(gap ? { gap: true as const } : {}) };
    if (this.currentRef?.msn === seg.msn) this.currentRef = undefined;
    this.segments.push(ws);
    this.bytes += seg.bytes;
    if (gap) this.gaps++;
    while (
      this.segments.length - this.gaps > this.maxSegments || this.gaps > MAX_ABSENCE_GAPS ||
      (this.bytes > MAX_WINDOW_BYTES && this.segments.length > 2)
    ) {
      const gone = this.segments.shift()!;
      this.bytes -= gone.bytes;
      if (gone.gap) this.gaps--;
      if (gone.discontinuity) this.discontinuitySeq++;
    }
    return ws;
  }

  /** Appends an EXT-X-GAP segment of `durationMs` (no parts, no bytes) carrying `tags`; evicts like addSegment. */
  addGap(msn: number, startMs: number, durationMs: number, tags: SegmentTags, gapDts?: readonly number[]): WindowSegment {
    return this.addSegment({ msn, startMs, durationMs, parts: [], bytes: 0, independent: true, ...(gapDts ? { gapDts } : {}) }, tags, true);
  }

  segment(msn: number): WindowSegment | undefined {
    const first = this.segments[0];
    if (!first) return undefined;
    const s = this.segments[msn - first.msn];
    return s?.msn === msn ? s : undefined;
  }

  part(msn: number, index: number): HlsPart | undefined {
    if (this.currentRef?.msn === msn) return this.currentRef.parts[index];
    return this.segment(msn)?.parts[index];
  }

  /** Init ids still referenced by a listed or open segment (older init segments can go). */
  initIdsInUse(): Set<number> {
    const ids = new Set(this.segments.map((s) => s.initId));
    if (this.currentRef) ids.add(this.currentRef.initId);
    return ids;
  }
}
