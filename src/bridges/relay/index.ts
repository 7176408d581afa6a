export { RtmpRelayIngest } from './rtmp-relay-ingest.js';
