export { createMpegTsIngest, type MpegTsIngest } from './mpegts-ingest.js';
export {
  createMpegTsOutputSink, type MpegTsOutputSink, type MpegTsOutputSinkOptions, type MpegTsOutputStats,
} from './mpegts-output-sink.js';
