/** RTMP message type ids (spec 5.4 protocol control, 6.2 user control, 7.1 others). */
export const MessageType = {
  SET_CHUNK_SIZE: 1,
  ABORT: 2,
  ACKNOWLEDGEMENT: 3,
  USER_CONTROL: 4,
  WINDOW_ACK_SIZE: 5,
  SET_PEER_BANDWIDTH: 6,
  AUDIO: 8,
  VIDEO: 9,
  DATA_AMF3: 15,
  SHARED_OBJECT_AMF3: 16,
  COMMAND_AMF3: 17,
  DATA_AMF0: 18,
  SHARED_OBJECT_AMF0: 19,
  COMMAND_AMF0: 20,
  AGGREGATE: 22,
} as const;

export type MessageTypeId = (typeof MessageType)[keyof typeof MessageType];

/**
 * Protocol control messages (types 1-6) must travel on chunk stream 2, message stream 0 (spec 5.4);
 * user control (4) must use message stream 0 too (spec 6.2).
 */
export const CONTROL_CSID = 2;
