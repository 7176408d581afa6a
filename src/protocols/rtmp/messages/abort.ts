import { decodeU32, encodeU32 } from './fixed-payload.js';

/** Abort Message (type 2, spec 5.4.2): discard the partial message on chunk stream `csid`. */
export interface Abort {
  csid: number;
}

export function decodeAbort(payload: Buffer): Abort {
  return { csid: decodeU32('Abort', payload) };
}

export function encodeAbort(msg: Abort): Buffer {
  return encodeU32(msg.csid);
}
