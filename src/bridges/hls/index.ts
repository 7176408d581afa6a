export { HlsPackagers } from './hls-packagers.js';
export { HlsStreamPackager, SOURCE_RENDITION } from './hls-stream-packager.js';
export { HlsRendition, type PlaylistAnswer } from './hls-rendition.js';
export { hlsSettings, type HlsSettings } from './hls-settings.js';
export { codecsAttribute, type HlsTrack } from './hls-tracks.js';
export { parseReloadQuery, type ReloadRequest } from './blocking-reload.js';
export type { HlsUriScheme } from './playlist-builder.js';
export { FIRST_SEGMENT_WAIT_MS } from './limits.js';
export { SourceAlignment, type RenditionAligner, type RenditionTimeline } from './rendition-alignment.js';
