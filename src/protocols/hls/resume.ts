/**
 * Continuing another packager's playlist: when a stream's publisher moves to another server (an owner killed, a
 * drain), the new packager numbers its segments after the old one's instead of from 1, so a player (or an edge
 * proxying the new owner) sees the same playlist go on after an EXT-X-DISCONTINUITY rather than a new one.
 */

/** Where one track's timeline stands at the end of a segment: the tfdt its next fragment would carry. */
export interface TrackEnd {
  /** fMP4 track_ID (video 1, audio 2: hls-tracks.ts). */
  readonly trackId: number;
  readonly timescale: number;
  /** Decode time in `timescale` units: the segment's last sample of the track, plus its duration. */
  readonly dts: number;
}

/** Where a rendition's playlist stood after a completed segment: what a successor needs to continue it. */
export interface SegmentPosition {
  /** Media Sequence Number of the segment. */
  readonly msn: number;
  /** Its discontinuity number: EXT-X-DISCONTINUITY-SEQUENCE plus the EXT-X-DISCONTINUITY tags up to it. */
  readonly discontinuity: number;
  /** Epoch ms where it ends (its PROGRAM-DATE-TIME plus its duration). */
  readonly endPdt: number;
  /** Where each of its tracks ends; absent when not known (a position recorded by an older version). */
  readonly trackEnds?: readonly TrackEnd[];
}

/** How a new rendition starts when it continues a playlist; see resumeAfter. */
export interface ResumePoint {
  /** MSN of its first segment; absent = its own rule (FIRST_MSN, or the source's MSN for an aligned ABR rendition). */
  readonly nextMsn?: number;
  /** Its EXT-X-DISCONTINUITY-SEQUENCE; its first media segment carries an EXT-X-DISCONTINUITY (one more). */
  readonly discontinuitySequence: number;
  /**
   * Epoch ms where the other playlist's last segment ended: the time until this rendition's first media is written
   * as EXT-X-GAP segments (absence-gaps.ts, as after a publisher reconnect on one server), so the dates and the
   * segment numbers go on together; and its dates never go back, whatever this server's clock says.
   */
  readonly lastEndPdt?: number;
  /**
   * Where each track of the other playlist's last segment ended: the fragments the EXT-X-GAP segments' URIs answer
   * continue that timeline (they stand before the EXT-X-DISCONTINUITY, in its discontinuity), not this packager's.
   */
  readonly trackEnds?: readonly TrackEnd[];
}

/**
 * The resume point after `last`, the last segment another packager is known to have completed. The next MSN is
 * the one that packager may have had open (its parts listed, LL-HLS): here it is the first EXT-X-GAP segment of
 * the absence (its parts were never completed into a segment), under this packager's names, so no URI a player or
 * cache holds names other bytes; the new media follows after an EXT-X-DISCONTINUITY.
 */
export function resumeAfter(last: SegmentPosition): ResumePoint {
  return { nextMsn: last.msn + 1, discontinuitySequence: last.discontinuity, lastEndPdt: last.endPdt, ...(last.trackEnds ? { trackEnds: last.trackEnds } : {}) };
}
