import { MIN_GAP_MS } from './limits.js';

/** How a publisher's absence is written into the playlist when the next session starts. */
export interface AbsencePlan {
  /** Durations (ms) of the EXT-X-GAP segments that stand for the absent media, in order. */
  readonly gapsMs: readonly number[];
  /** PROGRAM-DATE-TIME of the new session's first segment. */
  readonly firstPdt: number;
}

/**
 * rfc8216bis §6.2.1: "the absence of media data (due to, for example, the temporary unavailability of an
 * encoder ...) SHOULD be signaled by adding one or more Media Segments ... whose Segment durations add up to the
 * duration of absent media", each with EXT-X-GAP. Written that way, every segment's PROGRAM-DATE-TIME is the
 * previous one plus its EXTINF across a reconnect too: players that place segments by their date (Shaka Player
 * re-times every reference from its PDT, and its own gap bookkeeping at a PDT jump left its segment index empty,
 * a TypeError and a frozen player) see one continuous timeline, and the viewer's latency is what it was before.
 *
 * The gaps reach back to where the last segment ended however long the absence was, also past the playlist's
 * window (they are listed beside its media, media-window.ts): a player stands there, at the end of what it played.
 * hls.js (1.7.4) finds its next fragment after a playlist it can no longer place itself in by the date its last
 * fragment ended, else by the next MSN in the same discontinuity (base-stream-controller.ts
 * getInitialLiveFragment); a playlist that starts later in a new discontinuity, past its position, matches
 * neither: it loads nothing and reports nothing, for good.
 *
 * `lastEndPdt`: the date where the last segment ends; `wallPdt`: the wall-clock date of the new session's first
 * frame. An absence under MIN_GAP_MS is absorbed (the new session continues the dates); one that would take more
 * than `maxGaps` segments of `segmentMs` (MAX_ABSENCE_GAPS: a bound on the playlist's lines, not on media) is not
 * filled, and the new session keeps its wall-clock date.
 */
export function planAbsence(lastEndPdt: number, wallPdt: number, segmentMs: number, maxGaps: number): AbsencePlan {
  const absent = wallPdt - lastEndPdt;
  if (absent < MIN_GAP_MS) return { gapsMs: [], firstPdt: lastEndPdt };
  const count = Math.ceil(absent / segmentMs);
  if (count > maxGaps) return { gapsMs: [], firstPdt: wallPdt };
  const base = Math.floor(absent / count);
  const gapsMs = Array.from({ length: count }, (_, i) => base + (i < absent - base * count ? 1 : 0));
  return { gapsMs, firstPdt: wallPdt };
}
