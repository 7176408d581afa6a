import { decodeU32, encodeU32 } from './fixed-payload.js';

/** Acknowledgement (type 3, spec 5.4.3): bytes received so far, mod 2^32. */
export interface Acknowledgement {
  sequenceNumber: number;
}

export function decodeAcknowledgement(payload: Buffer): Acknowledgement {
  return { sequenceNumber: decodeU32('Acknowledgement', payload) };
}

export function encodeAcknowledgement(msg: Acknowledgement): Buffer {
  return encodeU32(msg.sequenceNumber);
}
