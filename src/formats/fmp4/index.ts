export type { Fmp4Codec, Fmp4Track, Fmp4Sample, Fmp4FragmentPart } from './types.js';
export { buildInitSegment } from './init-segment.js';
export { buildFragment, buildFragmentBuffer, SAMPLE_FLAGS_SYNC, SAMPLE_FLAGS_NON_SYNC } from './fragment.js';
export { opusHeadToDops } from './dops.js';
export { esDescriptor } from './esds.js';
export * from './limits.js';
