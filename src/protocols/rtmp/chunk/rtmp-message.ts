/** One reassembled RTMP message (spec 5.3.1 / 6.1), as read off or written to a chunk stream. */
export interface RtmpMessage {
  /** Message type id (see messages/message-types.ts). */
  typeId: number;
  /** Message stream id (0 = the NetConnection; createStream hands out the others). */
  streamId: number;
  /** Absolute timestamp, 32-bit as on the wire (deltas and extended timestamps applied; wraps at 2^32). */
  timestamp: number;
  /** Chunk stream id it arrived on (2..65599). */
  csid: number;
  /**
   * The message body. May be a zero-copy view of the buffer passed to `ChunkReader.push`: never
   * mutate it, and never reuse a buffer after pushing it (Node socket buffers are never reused).
   */
  payload: Buffer;
}

/** What a writer needs to serialise one message. */
export interface OutgoingMessage {
  csid: number;
  typeId: number;
  streamId: number;
  /** Milliseconds; taken mod 2^32 (the wire is 32-bit), so a bridge may pass an unbounded clock. */
  timestamp: number;
  payload: Buffer;
}
