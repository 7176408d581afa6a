export type {
  ByteRange, MapTag, MediaPart, PartialSegment, MediaSegment, ServerControl, PreloadHint, RenditionReport, MediaPlaylist,
  Variant, MasterPlaylist,
} from './types.js';
export { renderMediaPlaylist } from './render-media.js';
export { renderMasterPlaylist, type MasterPlaylistOptions } from './render-master.js';
export { parseMediaPlaylist } from './parse-media.js';
export { parseMasterPlaylist } from './parse-master.js';
export { checkMediaPlaylist, MEDIA_PLAYLIST_RULES, type MediaPlaylistRule } from './check-media.js';
export { targetDurationOf } from './target-duration.js';
export * from './limits.js';
