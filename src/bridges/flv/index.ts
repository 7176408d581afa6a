export { FlvSink, type FlvByteTarget, type FlvSinkHooks, type FlvSinkStats } from './flv-sink.js';
export { SharedFlvTags, type SharedFlvTag } from './shared-flv-tags.js';
export { flvTracksOf, playableOnFlv, type FlvTracks } from './flv-tracks.js';
