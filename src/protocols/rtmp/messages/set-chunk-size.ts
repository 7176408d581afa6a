import { OnAirError } from '../../../core/errors.js';
import { MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../limits.js';
import { decodeU32, encodeU32 } from './fixed-payload.js';

/**
 * Set Chunk Size (type 1, spec 5.4.1): the sender's new maximum chunk size. Decoding checks it against
 * MIN_CHUNK_SIZE..MAX_CHUNK_SIZE (ONAIR_ERR_LIMIT outside), since the chunk reader must adopt it.
 * Bit 31 "must be zero": a value with it set is simply out of range.
 */
export interface SetChunkSize {
  chunkSize: number;
}

export function decodeSetChunkSize(payload: Buffer): SetChunkSize {
  const chunkSize = decodeU32('SetChunkSize', payload);
  checkChunkSize(chunkSize);
  return { chunkSize };
}

export function encodeSetChunkSize(msg: SetChunkSize): Buffer {
  checkChunkSize(msg.chunkSize);
  return encodeU32(msg.chunkSize);
}

export function checkChunkSize(chunkSize: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new OnAirError('ONAIR_ERR_LIMIT', `chunk size ${chunkSize} outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`);
  }
}
