export { FlvSink, type FlvByteTarget, type FlvSinkHooks, type FlvSinkStats } from './flv-sink.js';
export { FlvFanout } from './flv-fanout.js';
export { SharedFlvTags, SharedFlvTag } from './shared-flv-tags.js';
export { NO_FRAMING, SharedFlvBatches, framed, type UnitFraming } from './shared-flv-batches.js';
export { flvTracksOf, playableOnFlv, type FlvTracks } from './flv-tracks.js';
