export * from './h264/index.js';
export * from './h265/index.js';
export * from './av1/index.js';
export * from './vp9/index.js';
export * from './aac/index.js';
export * from './mp3/index.js';
export { describeConfig, type TrackInfo } from './codec-info.js';
export { checkDimensions } from './dimensions.js';
export * as codecLimits from './limits.js';
