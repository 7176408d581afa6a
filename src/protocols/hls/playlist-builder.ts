import type { MediaPlaylist, MediaSegment, PartialSegment, PreloadHint, RenditionReport } from '../../formats/m3u8/index.js';
import { MIN_PART_HOLD_BACK_PARTS, PART_HOLD_BACK_PARTS, PART_LIST_TARGET_DURATIONS, SKIP_TARGET_DURATIONS } from './limits.js';
import type { MediaWindow, OpenSegmentView, PartRef, WindowSegment } from './media-window.js';
import type { HlsPart } from './segmenter.js';

/** How the HTTP layer names things; every URI it returns already carries the viewer's token. */
export interface HlsUriScheme {
  init(initId: number): string;
  segment(msn: number): string;
  part(msn: number, index: number): string;
  tsSegment(msn: number): string;
}

export interface PlaylistState {
  readonly window: MediaWindow;
  readonly targetDuration: number;
  /** Part target in seconds; undefined = standard HLS. */
  readonly partTargetSec: number | undefined;
  /** PART-HOLD-BACK in part targets; default PART_HOLD_BACK_PARTS, never under MIN_PART_HOLD_BACK_PARTS (the spec's MUST). */
  readonly partHoldBackParts?: number;
  readonly ended: boolean;
  /**
   * The part the ingest will produce next (the open segment's next index, or part 0 of the segment after the
   * last one when none is open), named by the preload hint (rfc8216bis §4.4.5.3: the URI that will be added
   * next); undefined when none is in sight (no publisher): no hint.
   */
  readonly next: PartRef | undefined;
}


const sec = (ms: number): number => ms / 1000;

/**
 * fMP4 media playlist: LL-HLS when parts are on (parts, hints, server control, delta updates). A pure function
 * of its arguments: the same state renders the same bytes (the HTTP layer may cache by HlsRendition.stateKey).
 */
export function fmp4Playlist(s: PlaylistState, uris: HlsUriScheme, skip: boolean, reports: readonly RenditionReport[] = []): MediaPlaylist {
  const ll = s.partTargetSec !== undefined;
  const segs = s.window.segments;
  const canSkipUntil = SKIP_TARGET_DURATIONS * s.targetDuration;
  const skipped = ll && skip ? skippedCount(segs, canSkipUntil) : 0;
  const partsFrom = partListStart(s);
  const segments: MediaSegment[] = [];
  let prevInit = segs[0]?.initId;
  segs.forEach((seg, i) => {
    const head = tags(seg, prevInit, uris);
    prevInit = seg.initId;
    if (i < skipped) return;
    segments.push({
      ...head, uri: uris.segment(seg.msn), duration: sec(seg.durationMs), ...(seg.gap ? { gap: true } : {}),
      ...(ll && seg.msn >= partsFrom ? { parts: seg.parts.map((p) => partTag(p, uris)) } : {}),
    });
  });
  const open = s.ended ? undefined : s.window.current;
  let partialSegment: PartialSegment | undefined;
  if (ll && open && open.parts.length > 0) {
    partialSegment = { ...tags(open, prevInit, uris), parts: open.parts.map((p) => partTag(p, uris)) };
  }
  const hints: PreloadHint[] = ll && !s.ended && s.next ? [{ type: 'PART', uri: uris.part(s.next.msn, s.next.index) }] : [];
  const first = segs[0] ?? open;
  return {
    version: ll ? 9 : 6,
    targetDuration: s.targetDuration,
    mediaSequence: s.window.firstMsn(s.next?.msn ?? 0),
    discontinuitySequence: s.window.discontinuitySequence,
    independentSegments: true,
    ...(first ? { map: { uri: uris.init(first.initId) } } : {}),
    ...(ll ? {
      serverControl: { canBlockReload: true, partHoldBack: partHoldBackSec(s.partTargetSec!, s.partHoldBackParts), canSkipUntil },
      partTarget: s.partTargetSec,
    } : {}),
    ...(skipped > 0 ? { skippedSegments: skipped } : {}),
    segments,
    ...(partialSegment ? { partialSegment } : {}),
    ...(hints.length ? { preloadHints: hints } : {}),
    ...(ll && !s.ended && reports.length ? { renditionReports: reports } : {}),
    ...(s.ended ? { endList: true } : {}),
  };
}

/** PART-HOLD-BACK as announced (seconds, 3 decimals): `parts` part targets, never under MIN_PART_HOLD_BACK_PARTS. */
export function partHoldBackSec(partTargetSec: number, parts: number | undefined): number {
  return round3(Math.max(MIN_PART_HOLD_BACK_PARTS, parts ?? PART_HOLD_BACK_PARTS) * partTargetSec);
}

/** MPEG-TS media playlist for legacy players: complete segments only (RFC 8216, VERSION 3). */
export function tsPlaylist(s: PlaylistState, uris: HlsUriScheme): MediaPlaylist {
  return {
    version: 3,
    targetDuration: s.targetDuration,
    mediaSequence: s.window.firstMsn(s.next?.msn ?? 0),
    discontinuitySequence: s.window.discontinuitySequence,
    segments: s.window.segments.map((seg) => ({
      ...(seg.discontinuity ? { discontinuity: true } : {}),
      programDateTime: seg.programDateTime,
      uri: uris.tsSegment(seg.msn),
      duration: sec(seg.durationMs),
      ...(seg.gap ? { gap: true } : {}),
    })),
    ...(s.ended ? { endList: true } : {}),
  };
}

function tags(seg: WindowSegment | OpenSegmentView, prevInit: number | undefined, uris: HlsUriScheme): PartialSegment {
  return {
    ...(seg.discontinuity ? { discontinuity: true } : {}),
    ...(prevInit !== undefined && seg.initId !== prevInit ? { map: { uri: uris.init(seg.initId) } } : {}),
    programDateTime: seg.programDateTime,
  };
}

function partTag(p: HlsPart, uris: HlsUriScheme): { uri: string; duration: number; independent?: boolean } {
  return { uri: uris.part(p.msn, p.index), duration: sec(p.durationMs), ...(p.independent ? { independent: true } : {}) };
}

/** Segments whose parts are still listed: those ending within PART_LIST_TARGET_DURATIONS of the edge. */
function partListStart(s: PlaylistState): number {
  const segs = s.window.segments;
  let acc = 0;
  const limit = PART_LIST_TARGET_DURATIONS * s.targetDuration * 1000;
  for (let i = segs.length - 1; i >= 0; i--) {
    if (acc >= limit) return segs[i + 1]!.msn;
    acc += segs[i]!.durationMs;
  }
  return segs[0]?.msn ?? 0;
}

/** Delta update: skip the segments that start more than CAN-SKIP-UNTIL before the playlist's end (§6.2.5.1). */
function skippedCount(segs: readonly WindowSegment[], canSkipUntilSec: number): number {
  let fromEnd = 0;
  let i = segs.length;
  while (i > 0 && fromEnd + segs[i - 1]!.durationMs <= canSkipUntilSec * 1000) {
    fromEnd += segs[i - 1]!.durationMs;
    i--;
  }
  return Math.max(0, i - 1);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
