import { decodeU32, encodeU32 } from './fixed-payload.js';

/** Window Acknowledgement Size (type 5, spec 5.4.4): the peer wants an Acknowledgement every `size` bytes. */
export interface WindowAckSize {
  size: number;
}

export function decodeWindowAckSize(payload: Buffer): WindowAckSize {
  return { size: decodeU32('WindowAckSize', payload) };
}

export function encodeWindowAckSize(msg: WindowAckSize): Buffer {
  return encodeU32(msg.size);
}
