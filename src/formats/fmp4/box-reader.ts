import { OnAirError } from '../../core/errors.js';

/** One box header as found in a buffer (ISO/IEC 14496-12 §4.2). `size` includes the header. */
export interface BoxHeader {
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  /** 8, or 16 with a 64-bit largesize. */
  readonly headerSize: number;
}

/** Smallest header a box can have: 32-bit size + FourCC. */
export const BOX_HEADER_BYTES = 8;
/** A header with a 64-bit largesize (size field 1). */
export const LARGE_BOX_HEADER_BYTES = 16;

/**
 * Reads the box header at `offset` in `buf[.., end)`. size 0 ("extends to the end") is taken as `end`;
 * size 1 reads the 64-bit largesize. A header cut short throws ONAIR_ERR_TRUNCATED; a size below its header
 * throws ONAIR_ERR_MALFORMED. The box may extend past `end` (a caller reading a file in pieces checks).
 */
export function readBoxHeader(buf: Buffer, offset: number, end = buf.length): BoxHeader {
  if (offset + BOX_HEADER_BYTES > end) throw new OnAirError('ONAIR_ERR_TRUNCATED', `box header at ${offset}: ${end - offset} bytes left`);
  const size32 = buf.readUInt32BE(offset);
  const type = buf.toString('latin1', offset + 4, offset + 8);
  if (size32 === 0) return { type, offset, size: end - offset, headerSize: BOX_HEADER_BYTES };
  if (size32 !== 1) {
    if (size32 < BOX_HEADER_BYTES) throw new OnAirError('ONAIR_ERR_MALFORMED', `box ${JSON.stringify(type)} at ${offset}: size ${size32}`);
    return { type, offset, size: size32, headerSize: BOX_HEADER_BYTES };
  }
  if (offset + LARGE_BOX_HEADER_BYTES > end) throw new OnAirError('ONAIR_ERR_TRUNCATED', `largesize of box at ${offset}`);
  const size = buf.readUInt32BE(offset + 8) * 0x1_0000_0000 + buf.readUInt32BE(offset + 12);
  if (size < LARGE_BOX_HEADER_BYTES || !Number.isSafeInteger(size)) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `box ${JSON.stringify(type)} at ${offset}: largesize ${size}`);
  }
  return { type, offset, size, headerSize: LARGE_BOX_HEADER_BYTES };
}

/**
 * Follows `path` (e.g. ['moov', 'mvex', 'mehd']) through plain container boxes of `buf[start, end)`;
 * the first match at each level wins. Undefined when a level has no such box; a box overrunning its parent
 * throws ONAIR_ERR_MALFORMED. The depth is the path's length, so hostile nesting cannot recurse.
 */
export function findBox(buf: Buffer, path: readonly string[], start = 0, end = buf.length): BoxHeader | undefined {
  let from = start;
  let to = end;
  let found: BoxHeader | undefined;
  for (const type of path) {
    found = undefined;
    for (let at = from; at < to;) {
      const h = readBoxHeader(buf, at, to);
      if (at + h.size > to) throw new OnAirError('ONAIR_ERR_MALFORMED', `box ${JSON.stringify(h.type)} at ${at} overruns its parent`);
      if (h.type === type) {
        found = h;
        break;
      }
      at += h.size;
    }
    if (!found) return undefined;
    from = found.offset + found.headerSize;
    to = found.offset + found.size;
  }
  return found;
}
