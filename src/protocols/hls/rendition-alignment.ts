import { PDT_SNAP_MS } from './limits.js';
import type { MediaWindow } from './media-window.js';
import type { SegmentFollower } from './segmenter.js';

/**
 * Where an ABR rendition's hub path sits relative to its source: the source path, and `source dts -
 * rendition dts` of the running transcode (undefined while unknown). Undefined for a path that is no
 * rendition. Handed in by the composition root (the transcode service), structurally typed.
 */
export type RenditionTimeline = (path: string) => { readonly sourcePath: string; readonly offsetMs: number | undefined } | undefined;

/**
 * What the alignment reads of the source rendition (an HlsRendition fits it). Declared here, not taken from
 * HlsRendition, so the rendition depends on the alignment and never the other way round.
 */
export interface AlignmentSource {
  window(): Pick<MediaWindow, 'segments' | 'current'>;
  /** The open segment's MSN and start (source timeline). */
  readonly openSegment: { readonly msn: number; readonly startMs: number } | undefined;
  /** dts of the newest frame packaged (source timeline). */
  readonly lastFrameMs: number | undefined;
  /** Epoch ms of dts 0 on the source timeline (its PDT anchor), undefined between sessions. */
  readonly anchor: number | undefined;
}

/** What an ABR rendition's packager asks about its source: where to cut, which MSN, which PDT. */
export interface RenditionAligner extends SegmentFollower {
  /** PROGRAM-DATE-TIME (epoch ms) of a segment starting at `startMs` (rendition timeline); undefined = own anchor. */
  pdtAt(startMs: number): number | undefined;
  /** The source's segment `msn` (EXT-X-GAP or media) if its window still lists it: its date and duration. */
  sourceSegment?(msn: number): { readonly programDateTime: number; readonly durationMs: number } | undefined;
}

interface SourceSegment {
  readonly msn: number;
  readonly startMs: number;
  /** Exclusive end on the source timeline: the next segment's start, or the newest frame for the open one. */
  readonly endMs: number;
  /** Undefined while the open segment has no part yet (its PDT is decided with the first part). */
  readonly pdt: number | undefined;
}

/**
 * Aligns an ABR rendition with its source. Every rendition's hub timeline starts at 0 at its own first frame
 * and reaches the packager a transcode delay after the source, so on its own it would number, cut and date
 * its segments differently. Renditions have keyframes exactly at the source's (ffmpeg -force_key_frames
 * source) and are always behind it, so the source's decisions for a media time are known when the rendition
 * gets there: the rendition cuts at a keyframe iff the source started a segment there, its first segment
 * takes the number of the source segment it falls in (MSN N = the same media in every variant), and a
 * segment starting with a source segment takes that segment's PROGRAM-DATE-TIME.
 *
 * The transcoder's offset maps rendition time onto the source timeline to within its encoder start shift
 * (tens of ms), so a source segment start within PDT_SNAP_MS counts as the same keyframe. Unknown (no
 * offset yet, source gone, time outside the source's window): the segmenter's own rule and own anchor,
 * or the source's anchor plus the mapped time for the PDT.
 */
export class SourceAlignment implements RenditionAligner {
  /** Source MSN of the last boundary followed: after a transcoder restart the GOP cache is fed again, and its
   * media maps onto source segments already followed; cutting there would number ahead of the source. */
  private followed = -Infinity;

  constructor(
    private readonly source: () => AlignmentSource | undefined,
    private readonly offsetMs: () => number | undefined,
  ) {}

  /** Called by the segmenter only where it may cut, and a true answer always cuts: it is remembered. */
  cutAt(dtsMs: number): boolean | undefined {
    const at = this.locate(dtsMs);
    if (!at) return undefined;
    if (!at.starts || at.segment.msn <= this.followed) return false;
    this.followed = at.segment.msn;
    return true;
  }

  msnAt(dtsMs: number): number | undefined {
    const msn = this.locate(dtsMs)?.segment.msn;
    if (msn !== undefined) this.followed = Math.max(this.followed, msn);
    return msn;
  }

  pdtAt(startMs: number): number | undefined {
    const offset = this.offsetMs();
    const src = this.source();
    if (offset === undefined || !src) return undefined;
    const at = this.locate(startMs);
    if (at?.starts && at.segment.pdt !== undefined) return at.segment.pdt;
    const anchor = src.anchor;
    if (anchor === undefined) return undefined;
    // The source dates a segment as round(anchor + its start): the same value for the same start.
    return Math.round(anchor + (at?.starts ? at.segment.startMs : startMs + offset));
  }

  sourceSegment(msn: number): { programDateTime: number; durationMs: number } | undefined {
    const segs = this.source()?.window().segments;
    const seg = segs?.[msn - (segs[0]?.msn ?? 0)];
    return seg?.msn === msn ? { programDateTime: seg.programDateTime, durationMs: seg.durationMs } : undefined;
  }

  /** The source segment at rendition time `dtsMs`, and whether it starts there. */
  private locate(dtsMs: number): { segment: SourceSegment; starts: boolean } | undefined {
    const offset = this.offsetMs();
    const src = this.source();
    if (offset === undefined || !src) return undefined;
    const t = dtsMs + offset;
    const segs = sourceSegments(src);
    let containing: SourceSegment | undefined;
    for (const s of segs) {
      if (Math.abs(s.startMs - t) <= PDT_SNAP_MS) return { segment: s, starts: true };
      if (s.startMs <= t && t < s.endMs) containing = s;
    }
    return containing && { segment: containing, starts: false };
  }
}

function sourceSegments(src: AlignmentSource): SourceSegment[] {
  const w = src.window();
  // EXT-X-GAP segments stand for wall-clock time, not source media: nothing of a rendition maps into them.
  const out: SourceSegment[] = w.segments.filter((s) => !s.gap).map((s) => ({ msn: s.msn, startMs: s.startMs, endMs: s.startMs + s.durationMs, pdt: s.programDateTime }));
  const open = src.openSegment;
  const last = src.lastFrameMs;
  if (open && last !== undefined) {
    out.push({ msn: open.msn, startMs: open.startMs, endMs: last + 1, pdt: w.current?.msn === open.msn ? w.current.programDateTime : undefined });
  }
  return out;
}
