/**
 * HLS playlists as plain data (RFC 8216; LL-HLS per draft-pantos-hls-rfc8216bis). A live packager holds a
 * MediaPlaylist, pushes parts into `partialSegment`, and moves it into `segments` with a URI and duration
 * once the segment is complete; render on every request. Times are seconds; dates are epoch milliseconds.
 */

/** A sub-range of a resource (RFC 8216 §4.3.2.2 EXT-X-BYTERANGE, §4.3.2.5 BYTERANGE): `length@offset`. */
export interface ByteRange {
  readonly length: number;
  readonly offset: number;
}

/** EXT-X-MAP (RFC 8216 §4.3.2.5): the Media Initialization Section (fMP4 init segment). */
export interface MapTag {
  readonly uri: string;
  /** The init segment is this sub-range of `uri` (e.g. the head of a recorded MP4). */
  readonly byteRange?: ByteRange;
}

/** EXT-X-PART (rfc8216bis §4.4.4.9). */
export interface MediaPart {
  readonly uri: string;
  readonly duration: number;
  /** INDEPENDENT=YES: starts with an independent frame; hls.js starts part loading only at one. */
  readonly independent?: boolean;
  readonly gap?: boolean;
}

/** Tags that precede a segment's parts and URI: what an in-progress segment already knows. */
export interface PartialSegment {
  /** EXT-X-DISCONTINUITY before this segment (RFC 8216 §4.3.2.3). */
  readonly discontinuity?: boolean;
  /** EXT-X-PROGRAM-DATE-TIME of the segment's first sample, epoch ms (§4.3.2.6). */
  readonly programDateTime?: number;
  /** A new EXT-X-MAP taking effect from this segment (e.g. codec config changed on reconnect). */
  readonly map?: MapTag;
  /** LL-HLS parts of this segment, in order. */
  readonly parts?: readonly MediaPart[];
}

export interface MediaSegment extends PartialSegment {
  readonly uri: string;
  /** EXTINF duration in seconds (rendered with 3 decimals). */
  readonly duration: number;
  readonly title?: string;
  readonly gap?: boolean;
  /** EXT-X-BYTERANGE: the segment is this sub-range of `uri` (always rendered with its offset). */
  readonly byteRange?: ByteRange;
}

/** EXT-X-SERVER-CONTROL (rfc8216bis §4.4.3.8). */
export interface ServerControl {
  readonly canBlockReload?: boolean;
  /** Seconds from the end before which segments may be skipped in a delta update. */
  readonly canSkipUntil?: number;
  readonly holdBack?: number;
  readonly partHoldBack?: number;
}

/** EXT-X-PRELOAD-HINT (rfc8216bis §4.4.5.3). */
export interface PreloadHint {
  readonly type: 'PART' | 'MAP';
  readonly uri: string;
}

/** EXT-X-RENDITION-REPORT (rfc8216bis §4.4.5.4). */
export interface RenditionReport {
  readonly uri: string;
  readonly lastMsn?: number;
  readonly lastPart?: number;
}

export interface MediaPlaylist {
  readonly version: number;
  /** Integer seconds, >= every EXTINF rounded to the nearest integer (RFC 8216 §4.3.3.1). */
  readonly targetDuration: number;
  /** Media sequence number of the first segment, including skipped ones in a delta update (§4.3.3.2). */
  readonly mediaSequence: number;
  readonly discontinuitySequence?: number;
  readonly independentSegments?: boolean;
  readonly playlistType?: 'EVENT' | 'VOD';
  /** EXT-X-MAP in force from the first segment. */
  readonly map?: MapTag;
  readonly serverControl?: ServerControl;
  /** EXT-X-PART-INF PART-TARGET, seconds. */
  readonly partTarget?: number;
  /** Delta update (rfc8216bis §4.4.5.2): this many segments after MEDIA-SEQUENCE are replaced by EXT-X-SKIP. */
  readonly skippedSegments?: number;
  readonly segments: readonly MediaSegment[];
  /** Parts of the segment being produced (listed after the last complete segment). */
  readonly partialSegment?: PartialSegment;
  readonly preloadHints?: readonly PreloadHint[];
  readonly renditionReports?: readonly RenditionReport[];
  readonly endList?: boolean;
}

/** EXT-X-STREAM-INF (RFC 8216 §4.3.4.2) plus its URI line. */
export interface Variant {
  readonly uri: string;
  /** Peak bits per second. */
  readonly bandwidth: number;
  readonly averageBandwidth?: number;
  readonly resolution?: { readonly width: number; readonly height: number };
  /** RFC 6381 codec list, e.g. "avc1.64001f,mp4a.40.2". */
  readonly codecs?: string;
  readonly frameRate?: number;
}

export interface MasterPlaylist {
  readonly version?: number;
  readonly independentSegments?: boolean;
  readonly variants: readonly Variant[];
}
