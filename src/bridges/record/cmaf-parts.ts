/**
 * What recording reuses of the HLS packager: its track selection and its CMAF segmenter (fragments cut at
 * a target, segments at keyframes). Imported through this one file because issue 16 moves these hub-free
 * parts to src/protocols/hls.
 */
export { Segmenter, type HlsPart, type SegmenterEvent } from '../hls/segmenter.js';
export { TrackSelector } from '../hls/track-selector.js';
export { sameTrack, type HlsTrack } from '../hls/hls-tracks.js';
export type { Timers } from '../hls/blocking-reload.js';
