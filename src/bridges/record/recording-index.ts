import { OnAirError } from '../../core/errors.js';
import type { MediaPlaylist, MediaSegment } from '../../formats/m3u8/index.js';
import type { TrackRandomAccess } from '../../formats/fmp4/index.js';

/** One movie fragment (moof + mdat) as written to the recording file. */
export interface FragmentEntry {
  /** File offset and length of the whole fragment. */
  readonly offset: number;
  readonly length: number;
  /** Start and duration on the recording's timeline (ms from its first frame). */
  readonly startMs: number;
  readonly durationMs: number;
  /** Starts a VOD segment (its first video sample is a keyframe). */
  readonly segmentStart: boolean;
  /** Starts a segment after a discontinuity (publisher reconnect, or fragments dropped for a slow disk). */
  readonly discontinuity: boolean;
  /**
   * Segment starts only: per traf of the moof in order, its track id and the presentation time (track
   * timescale) of its first sample, which is a sync sample: the mfra's random access points.
   */
  readonly trafs?: readonly (readonly [trackId: number, time: number])[];
}

interface Segment {
  readonly offset: number;
  length: number;
  durationMs: number;
  readonly discontinuity: boolean;
}

/**
 * Where each VOD segment of a recording lies in its MP4 (sans-IO). Fragments arrive in file order; segments
 * are runs of fragments from a segment start, listed once closed (the next starts, or `closeSegment`).
 * Renders the EVENT playlist while recording and the VOD playlist after, so a player that watched the
 * EVENT playlist sees the same segments with an ENDLIST added.
 */
export class RecordingIndex {
  private readonly closedSegments: Segment[] = [];
  private open: Segment | undefined;
  private readonly access = new Map<number, { time: number; moofOffset: number; trafNumber: number }[]>();
  private mediaMs = 0;
  private firstMs: number | undefined;
  private lastEndMs = 0;
  private end: number;
  private maxSegmentMs = 0;

  constructor(readonly initBytes: number) {
    this.end = initBytes;
  }

  /** Media written (the sum of the fragments' durations; a dropped stretch is not counted). */
  get durationMs(): number {
    return this.mediaMs;
  }

  /** Timeline covered, first frame to last: the movie duration (above durationMs when a stretch was dropped). */
  get spanMs(): number {
    return this.firstMs === undefined ? 0 : this.lastEndMs - this.firstMs;
  }

  /** End of the last fragment: the file's length before an mfra is appended. */
  get bytes(): number {
    return this.end;
  }

  get segmentCount(): number {
    return this.closedSegments.length + (this.open ? 1 : 0);
  }

  add(f: FragmentEntry): void {
    if (f.offset !== this.end) throw new OnAirError('ONAIR_ERR_STATE', `fragment at ${f.offset}, expected ${this.end}`);
    if (f.segmentStart || !this.open) {
      this.closeSegment();
      this.open = { offset: f.offset, length: 0, durationMs: 0, discontinuity: f.discontinuity };
    }
    this.open.length += f.length;
    this.open.durationMs += f.durationMs;
    this.mediaMs += f.durationMs;
    this.firstMs ??= f.startMs;
    this.lastEndMs = Math.max(this.lastEndMs, f.startMs + f.durationMs);
    this.end = f.offset + f.length;
    f.trafs?.forEach(([trackId, time], i) => {
      let list = this.access.get(trackId);
      if (!list) this.access.set(trackId, (list = []));
      list.push({ time, moofOffset: f.offset, trafNumber: i + 1 });
    });
  }

  /** The open segment is complete (the segmenter closed it, or the recording stopped). */
  closeSegment(): void {
    if (!this.open) return;
    this.closedSegments.push(this.open);
    this.maxSegmentMs = Math.max(this.maxSegmentMs, this.open.durationMs);
    this.open = undefined;
  }

  /**
   * The media playlist: EVENT while recording (closed segments only), VOD with ENDLIST once `ended`. Every
   * URI is `mediaUri` (the MP4) with a byte range; the init segment is the file's head.
   */
  playlist(mediaUri: string, ended: boolean): MediaPlaylist {
    const segments: MediaSegment[] = this.closedSegments.map((s) => ({
      uri: mediaUri, duration: s.durationMs / 1000, byteRange: { length: s.length, offset: s.offset },
      ...(s.discontinuity ? { discontinuity: true } : {}),
    }));
    return {
      // 7: EXT-X-MAP with BYTERANGE in a playlist without I-FRAMES-ONLY needs 6 (RFC 8216 §7); as the live HLS.
      version: 7,
      targetDuration: Math.max(1, Math.round(this.maxSegmentMs / 1000)),
      mediaSequence: 0,
      playlistType: ended ? 'VOD' : 'EVENT',
      map: { uri: mediaUri, byteRange: { length: this.initBytes, offset: 0 } },
      segments,
      ...(ended ? { endList: true } : {}),
    };
  }

  /** Random access points per track (segment starts), for the mfra. */
  randomAccess(): TrackRandomAccess[] {
    return [...this.access].map(([trackId, list]) => ({
      trackId, entries: list.map((e) => ({ ...e, trunNumber: 1, sampleNumber: 1 })),
    }));
  }
}
