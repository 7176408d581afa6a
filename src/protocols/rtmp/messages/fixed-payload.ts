import { OnAirError } from '../../../core/errors.js';

/** Control messages have fixed-size bodies; any other length is a protocol violation. */
export function expectLength(what: string, payload: Buffer, length: number): void {
  if (payload.length !== length) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `${what}: body is ${payload.length} bytes, expected ${length}`);
  }
}

/** A body holding one 32-bit big-endian number (types 1, 2, 3, 5). */
export function decodeU32(what: string, payload: Buffer): number {
  expectLength(what, payload, 4);
  return payload.readUInt32BE(0);
}

export function encodeU32(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}
