export { TranscodeService, type TranscodeServiceDeps } from './transcode-service.js';
export { TRANSCODE_PROTOCOL } from './transcode-session.js';
export { discoverFfmpeg, type FfmpegDiscovery, type FfmpegFound, type FfmpegMissing } from './ffmpeg-discovery.js';
export { ladderLookup } from './ladder-source.js';
export { planLadder, DEFAULT_LADDER, type PlannedRung } from './ladder.js';
export { buildFfmpegArgs, type EncoderPreset } from './ffmpeg-args.js';
export type { TranscodePipes } from './transcode-pipes.js';
export type * from './types.js';
