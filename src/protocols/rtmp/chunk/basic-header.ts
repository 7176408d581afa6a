import { OnAirError } from '../../../core/errors.js';

/**
 * Chunk basic header (spec 5.3.1.1): fmt in the top 2 bits, then the chunk stream id in 1, 2 or 3
 * bytes. csid 0 and 1 are escapes and csid 2 is reserved for protocol control, so usable ids are 2..65599.
 */
export const MIN_CSID = 2;
export const MAX_CSID = 65599;

export type ChunkFormat = 0 | 1 | 2 | 3;

/** Message header sizes by fmt (spec 5.3.1.2): full, same stream, same length+type, nothing. */
export const MESSAGE_HEADER_SIZE = [11, 7, 3, 0] as const;

/** 1 for csid 2..63, 2 for 64..319, 3 for 320..65599. */
export function basicHeaderSize(csid: number): number {
  if (csid < 64) return 1;
  if (csid < 320) return 2;
  return 3;
}

export function checkCsid(csid: number): void {
  if (!Number.isInteger(csid) || csid < MIN_CSID || csid > MAX_CSID) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `chunk stream id ${csid} outside ${MIN_CSID}..${MAX_CSID}`);
  }
}

/** Writes the basic header at `at`; returns the position after it. */
export function writeBasicHeader(buf: Buffer, at: number, fmt: ChunkFormat, csid: number): number {
  if (csid < 64) {
    buf[at] = (fmt << 6) | csid;
    return at + 1;
  }
  if (csid < 320) {
    buf[at] = fmt << 6;
    buf[at + 1] = csid - 64;
    return at + 2;
  }
  buf[at] = (fmt << 6) | 1;
  buf[at + 1] = (csid - 64) & 0xff;
  buf[at + 2] = (csid - 64) >> 8;
  return at + 3;
}
