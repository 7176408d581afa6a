// Public API of the HLS library: a rendition driven by hub-free MediaPackets and time (segmenter, media
// window, playlists, blocking reload, MPEG-TS copies, ABR alignment). What subscribes to the hub is in
// src/bridges/hls; what answers HTTP is in src/servers/http/playback/hls.
export { HlsRendition, type PlaylistAnswer, type RenditionOptions } from './hls-rendition.js';
export { segmentBytes } from './gap-segment.js';
export type { RenditionSettings } from './rendition-settings.js';
export { commonRatePartMs } from './part-target.js';
export { MIN_PART_HOLD_BACK_PARTS } from './limits.js';
export { codecsAttribute, sameTrack, type HlsTrack } from './hls-tracks.js';
// The CMAF segmenter and track selection on their own: what recording (src/bridges/record) reuses.
export { Segmenter, type HlsPart, type SegmenterEvent } from './segmenter.js';
export { TrackSelector } from './track-selector.js';
export { parseReloadQuery, type ParkedWait, type ParkingClient, type ReloadRequest, type Timers } from './blocking-reload.js';
export type { HlsUriScheme } from './playlist-builder.js';
export {
  SourceAlignment, type AlignmentSource, type RenditionAligner, type RenditionTimeline,
} from './rendition-alignment.js';
export { resumeAfter, type ResumePoint, type SegmentPosition, type TrackEnd } from './resume.js';
