import type { MediaPlaylist, PartialSegment } from './types.js';

/**
 * Spec-rule checker for Media Playlists. Returns one message per violation, each starting with its rule
 * id (`RULE: detail`), empty when clean. Pure: give `previous` (the last playlist served for the same
 * rendition) to check the rules that span reloads. Delta updates are supported: segment numbering starts
 * at MEDIA-SEQUENCE + SKIPPED-SEGMENTS.
 */
export const MEDIA_PLAYLIST_RULES = {
  /** RFC 8216 §4.3.3.1: EXTINF rounded to the nearest integer MUST be <= TARGETDURATION. */
  EXTINF_OVER_TARGET: 'segment duration rounds above TARGETDURATION',
  /** rfc8216bis §4.4.4.9: a Partial Segment's duration MUST be <= PART-TARGET. */
  PART_OVER_TARGET: 'part duration above PART-TARGET',
  /** rfc8216bis §4.4.3.7: EXT-X-PART needs EXT-X-PART-INF. */
  PART_WITHOUT_PART_INF: 'EXT-X-PART or PRELOAD-HINT TYPE=PART without EXT-X-PART-INF',
  /** rfc8216bis §4.4.3.8: PART-HOLD-BACK is REQUIRED with PART-INF and MUST be >= 2 x PART-TARGET. */
  PART_HOLD_BACK: 'PART-HOLD-BACK missing or below 2 x PART-TARGET',
  /** rfc8216bis §4.4.3.8: HOLD-BACK MUST be >= 3 x TARGETDURATION. */
  HOLD_BACK: 'HOLD-BACK below 3 x TARGETDURATION',
  /** rfc8216bis §4.4.3.8: CAN-SKIP-UNTIL MUST be >= 6 x TARGETDURATION. */
  CAN_SKIP_UNTIL: 'CAN-SKIP-UNTIL below 6 x TARGETDURATION',
  /** rfc8216bis §4.4.5.2: EXT-X-SKIP only in answer to a client that may skip (CAN-SKIP-UNTIL). */
  SKIP_WITHOUT_CAN_SKIP: 'EXT-X-SKIP without CAN-SKIP-UNTIL',
  /** RFC 8216 §7 / rfc8216bis §8: EXT-X-BYTERANGE needs VERSION >= 4, EXT-X-MAP >= 6 (without I-FRAMES-ONLY), EXT-X-SKIP >= 9. */
  VERSION_TOO_LOW: 'EXT-X-VERSION below what the tags used require',
  /** RFC 8216 §6.2.1: MEDIA-SEQUENCE never decreases; a segment keeps its number, URI and duration. */
  MEDIA_SEQUENCE: 'media sequence went back or a segment changed',
  /** RFC 8216 §6.2.2: DISCONTINUITY-SEQUENCE grows by the discontinuities of the segments that left. */
  DISCONTINUITY_SEQUENCE: 'discontinuity sequence does not count the removed discontinuities',
  /** OnAir cuts segments at keyframes; hls.js starts part loading only at INDEPENDENT=YES (getNextPart). */
  PART_NOT_INDEPENDENT: "a segment's first part is not INDEPENDENT=YES",
  /** RFC 8216 §4.3.3.4: ENDLIST ends the playlist; nothing may be in progress after it. */
  ENDLIST_WITH_PENDING: 'EXT-X-ENDLIST with parts in progress or a preload hint',
} as const;

export type MediaPlaylistRule = keyof typeof MEDIA_PLAYLIST_RULES;

/** Float slack for durations parsed from decimal text (EXTINF 3 decimals, parts 5). */
const EPSILON = 1e-6;

export function checkMediaPlaylist(p: MediaPlaylist, previous?: MediaPlaylist): string[] {
  const out: string[] = [];
  const fail = (rule: MediaPlaylistRule, detail: string): void => {
    out.push(`${rule}: ${detail}`);
  };
  const firstMsn = p.mediaSequence + (p.skippedSegments ?? 0);

  p.segments.forEach((s, i) => {
    if (Math.round(s.duration) > p.targetDuration) {
      fail('EXTINF_OVER_TARGET', `segment ${firstMsn + i} EXTINF ${s.duration} > ${p.targetDuration}`);
    }
  });
  const withParts: { msn: number; seg: PartialSegment }[] = p.segments.map((seg, i) => ({ msn: firstMsn + i, seg }));
  if (p.partialSegment) withParts.push({ msn: firstMsn + p.segments.length, seg: p.partialSegment });
  const anyParts = withParts.some((x) => (x.seg.parts?.length ?? 0) > 0) || (p.preloadHints ?? []).some((h) => h.type === 'PART');
  if (anyParts && p.partTarget === undefined) fail('PART_WITHOUT_PART_INF', 'parts listed');
  for (const { msn, seg } of withParts) {
    const parts = seg.parts ?? [];
    if (p.partTarget !== undefined) {
      parts.forEach((part, j) => {
        if (part.duration > p.partTarget! + EPSILON) fail('PART_OVER_TARGET', `part ${msn}.${j} ${part.duration} > ${p.partTarget}`);
      });
    }
    if (parts.length > 0 && parts[0]!.independent !== true) fail('PART_NOT_INDEPENDENT', `part ${msn}.0`);
  }
  checkServerControl(p, fail);
  checkVersion(p, fail);
  if (p.endList && (p.partialSegment?.parts?.length || p.preloadHints?.length)) fail('ENDLIST_WITH_PENDING', 'playlist has ENDLIST');
  if (previous) checkAgainstPrevious(p, previous, fail);
  return out;
}

type Fail = (rule: MediaPlaylistRule, detail: string) => void;

function checkServerControl(p: MediaPlaylist, fail: Fail): void {
  const sc = p.serverControl ?? {};
  if (p.partTarget !== undefined) {
    if (sc.partHoldBack === undefined) fail('PART_HOLD_BACK', 'PART-INF present, PART-HOLD-BACK missing');
    else if (sc.partHoldBack + EPSILON < 2 * p.partTarget) fail('PART_HOLD_BACK', `${sc.partHoldBack} < 2 x ${p.partTarget}`);
  }
  if (sc.holdBack !== undefined && sc.holdBack + EPSILON < 3 * p.targetDuration) {
    fail('HOLD_BACK', `${sc.holdBack} < 3 x ${p.targetDuration}`);
  }
  if (sc.canSkipUntil !== undefined && sc.canSkipUntil + EPSILON < 6 * p.targetDuration) {
    fail('CAN_SKIP_UNTIL', `${sc.canSkipUntil} < 6 x ${p.targetDuration}`);
  }
  if (p.skippedSegments !== undefined && sc.canSkipUntil === undefined) fail('SKIP_WITHOUT_CAN_SKIP', `SKIPPED-SEGMENTS=${p.skippedSegments}`);
}

function checkVersion(p: MediaPlaylist, fail: Fail): void {
  const usesMap = p.map !== undefined || p.segments.some((s) => s.map) || p.partialSegment?.map !== undefined;
  if (usesMap && p.version < 6) fail('VERSION_TOO_LOW', `EXT-X-MAP needs 6, have ${p.version}`);
  if (p.segments.some((s) => s.byteRange) && p.version < 4) fail('VERSION_TOO_LOW', `EXT-X-BYTERANGE needs 4, have ${p.version}`);
  if (p.skippedSegments !== undefined && p.version < 9) fail('VERSION_TOO_LOW', `EXT-X-SKIP needs 9, have ${p.version}`);
}

/** Compares with the previous playlist of the same rendition (full playlists; skipped segments unknown). */
function checkAgainstPrevious(p: MediaPlaylist, prev: MediaPlaylist, fail: Fail): void {
  if (p.mediaSequence < prev.mediaSequence) {
    fail('MEDIA_SEQUENCE', `MEDIA-SEQUENCE ${p.mediaSequence} < previous ${prev.mediaSequence}`);
    return;
  }
  const prevFirst = prev.mediaSequence + (prev.skippedSegments ?? 0);
  const first = p.mediaSequence + (p.skippedSegments ?? 0);
  p.segments.forEach((s, i) => {
    const old = prev.segments[first + i - prevFirst];
    if (old && (old.uri !== s.uri || Math.abs(old.duration - s.duration) > EPSILON)) {
      fail('MEDIA_SEQUENCE', `segment ${first + i} changed (${old.uri} -> ${s.uri})`);
    }
  });
  // Discontinuities that slid out: tags on previous segments numbered below the new MEDIA-SEQUENCE.
  // A skipped head in `prev` hides them, so the rule is only checked when prev listed them all.
  if (prev.skippedSegments === undefined) {
    const removed = prev.segments.slice(0, Math.max(0, p.mediaSequence - prev.mediaSequence));
    const gone = removed.filter((s) => s.discontinuity).length;
    const expected = (prev.discontinuitySequence ?? 0) + gone;
    const actual = p.discontinuitySequence ?? 0;
    if (actual !== expected) fail('DISCONTINUITY_SEQUENCE', `${actual}, expected ${expected} (${gone} removed)`);
  }
}
