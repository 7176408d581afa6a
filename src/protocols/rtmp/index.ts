// Public API of the RTMP transport layer (handshake, chunk stream, protocol control messages).
// Re-exports only: command and session modules add their own lines.
export * from './limits.js';

export {
  HANDSHAKE_PACKET_SIZE, FP_KEY, FP_PARTIAL_KEY, FMS_KEY, FMS_PARTIAL_KEY,
  digestOffset, computeDigest, findDigest, imprintDigest, responseSignature, verifyResponse,
  type DigestScheme, type FoundDigest,
} from './handshake/digest.js';
export {
  RTMP_VERSION, RTMPE_VERSION, type HandshakeStep, type HandshakeOptions,
} from './handshake/handshake-common.js';
export { ServerHandshake } from './handshake/server-handshake.js';
export { ClientHandshake, type ClientHandshakeOptions } from './handshake/client-handshake.js';

export type { RtmpMessage, OutgoingMessage } from './chunk/rtmp-message.js';
export { MIN_CSID, MAX_CSID, basicHeaderSize } from './chunk/basic-header.js';
export { ChunkReader, type ChunkReaderOptions } from './chunk/chunk-reader.js';
export { ChunkWriter, type ChunkWriterOptions, type MessageHeaderFields } from './chunk/chunk-writer.js';
export { chunkBody } from './chunk/chunk-body.js';
export { AckCounter } from './chunk/ack-counter.js';

export * from './messages/message-types.js';
export * from './messages/set-chunk-size.js';
export * from './messages/abort.js';
export * from './messages/acknowledgement.js';
export * from './messages/user-control.js';
export * from './messages/window-ack-size.js';
export * from './messages/set-peer-bandwidth.js';
export * from './messages/control-message.js';
export * from './messages/aggregate.js';

// Command/session layer (server side).
export * from './session/server-session.js';
export * from './session/status.js';
export * from './session/command.js';
export * from './session/stream-name.js';
export * from './client/client-session.js';
export * from './client/rtmp-status-error.js';
export { PUBLISHER_MAX_INBOUND_MESSAGE } from './client/limits.js';
export { fmt0Header } from './chunk/fmt0-header.js';
