import { OnAirError, checkLimit } from '../core/errors.js';
import { MAX_NALUS_PER_ACCESS_UNIT, MAX_NAL_SIZE } from './limits.js';

/**
 * Length-prefixed ("AVCC", ISO/IEC 14496-15) and Annex-B (H.264 Annex B start codes) NAL unit framing,
 * shared by H.264 and H.265. NAL units are handed out as views into the input, never copied.
 */
export function forEachNalu(payload: Buffer, lengthSize: number, fn: (nal: Buffer) => void): void {
  if (lengthSize < 1 || lengthSize > 4) throw new OnAirError('ONAIR_ERR_MALFORMED', `NAL length size ${lengthSize}`);
  let pos = 0;
  let count = 0;
  while (pos < payload.length) {
    if (pos + lengthSize > payload.length) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `NAL length prefix cut at ${pos} of ${payload.length}`);
    }
    const len = payload.readUIntBE(pos, lengthSize);
    pos += lengthSize;
    if (len > payload.length - pos) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `NAL length ${len} past the end (${payload.length - pos} left)`);
    }
    checkLimit('NAL size', len, MAX_NAL_SIZE);
    checkLimit('NAL units per access unit', ++count, MAX_NALUS_PER_ACCESS_UNIT);
    fn(payload.subarray(pos, pos + len));
    pos += len;
  }
}

export function splitAvccNalus(payload: Buffer, lengthSize: number): Buffer[] {
  const out: Buffer[] = [];
  forEachNalu(payload, lengthSize, (n) => out.push(n));
  return out;
}

/** Writes NAL units with `lengthSize`-byte big-endian length prefixes into one buffer. */
export function joinAvccNalus(nalus: readonly Buffer[], lengthSize = 4): Buffer {
  let total = 0;
  for (const n of nalus) total += lengthSize + n.length;
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  const max = 2 ** (8 * lengthSize) - 1;
  for (const n of nalus) {
    if (n.length > max) throw new OnAirError('ONAIR_ERR_LIMIT', `NAL of ${n.length} bytes needs more than ${lengthSize} length bytes`);
    out.writeUIntBE(n.length, pos, lengthSize);
    n.copy(out, pos + lengthSize);
    pos += lengthSize + n.length;
  }
  return out;
}

const START_CODE = Buffer.from([0, 0, 0, 1]);
const START_CODE_3 = Buffer.from([0, 0, 1]);

/** Annex-B byte stream of the given NAL units, each after a 4-byte start code. */
export function joinAnnexBNalus(nalus: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const n of nalus) parts.push(START_CODE, n);
  return Buffer.concat(parts);
}

/**
 * Splits an Annex-B byte stream at 00 00 01 / 00 00 00 01 start codes. Trailing zero bytes before the
 * next start code (trailing_zero_8bits, Annex B.1) are not part of the NAL unit. Bytes before the first
 * start code are not a NAL unit: a buffer without any start code is malformed.
 */
export function splitAnnexBNalus(buf: Buffer): Buffer[] {
  const starts: number[] = [];
  // Buffer.indexOf is a native search: the whole access unit is scanned, so this is the demuxer's hot loop.
  for (let i = buf.indexOf(START_CODE_3); i >= 0; i = buf.indexOf(START_CODE_3, i + 3)) {
    starts.push(i + 3);
    checkLimit('NAL units per access unit', starts.length, MAX_NALUS_PER_ACCESS_UNIT);
  }
  if (starts.length === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'Annex-B data without a start code');
  const out: Buffer[] = [];
  for (let k = 0; k < starts.length; k++) {
    const begin = starts[k]!;
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : buf.length;
    while (end > begin && buf[end - 1] === 0) end--;
    if (end > begin) out.push(buf.subarray(begin, end));
  }
  return out;
}
