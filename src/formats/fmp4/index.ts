export type { Fmp4Codec, Fmp4Track, Fmp4Sample, Fmp4FragmentPart } from './types.js';
export { buildInitSegment, type InitSegmentOptions } from './init-segment.js';
export { buildFragment, buildFragmentBuffer, buildEmptyFragment, type EmptyTrackFragment, SAMPLE_FLAGS_SYNC, SAMPLE_FLAGS_NON_SYNC } from './fragment.js';
export { opusHeadToDops } from './dops.js';
export { esDescriptor } from './esds.js';
export { readBoxHeader, findBox, BOX_HEADER_BYTES, LARGE_BOX_HEADER_BYTES, type BoxHeader } from './box-reader.js';
export { encodeMehdDuration, mehdDurationOffset } from './mehd.js';
export { buildMfra, type RandomAccessEntry, type TrackRandomAccess } from './mfra.js';
export * from './limits.js';
