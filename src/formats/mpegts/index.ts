export { TsMuxer } from './ts-muxer.js';
export type { TsMuxerOptions, TsVideoPes, TsAudioPes, TsVideoStreamType, TsAudioStreamType } from './ts-muxer.js';
export { TsDemuxer, type TsDemuxEvent, type TsDemuxerStats } from './ts-demuxer.js';
export type { TsTrack, TsCodec } from './stream-types.js';
export { crc32Mpeg2 } from './crc32.js';
export { wrap33 } from './pes.js';
export * from './limits.js';
