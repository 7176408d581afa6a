// The hub side of HLS: packagers that subscribe to the hub and feed the renditions of src/protocols/hls.
export { HlsPackagers } from './hls-packagers.js';
export { HlsStreamPackager, SOURCE_RENDITION } from './hls-stream-packager.js';
export { hlsSettings, type HlsSettings } from './hls-settings.js';
