import { OnAirError } from '../../../core/errors.js';
import { MAX_LOSS_ENTRIES, SEQ_MAX } from '../limits.js';

/**
 * Receiver feedback: ACK (light and full), loss report (NAK) and drop request bodies
 * (draft-sharabayko-srt 3.2.4-3.2.9). The ACK number and the drop request's message number travel in the
 * header's type-specific word, so they are not part of these bodies.
 */

/** A light ACK is one word: the next sequence number the receiver expects. */
export const LIGHT_ACK_SIZE = 4;
/** A full ACK as libsrt sends it: 7 words. The 4-word "small" form is accepted on decode. */
export const FULL_ACK_SIZE = 28;
const SMALL_ACK_SIZE = 16;

export interface AckInfo {
  /** First sequence number not yet received (everything before it was received or dropped). */
  readonly ackSeq: number;
  /** Present in full ACKs only. */
  readonly rttUs?: number;
  readonly rttVarUs?: number;
  /** Free space in the receiver's buffer, packets. */
  readonly availableBuffer?: number;
  readonly packetsPerSecond?: number;
  readonly linkCapacity?: number;
  readonly bytesPerSecond?: number;
}

export function decodeAck(cif: Buffer): AckInfo {
  if (cif.length < LIGHT_ACK_SIZE) throw new OnAirError('ONAIR_ERR_TRUNCATED', `ACK of ${cif.length} bytes`);
  const ackSeq = cif.readUInt32BE(0);
  if (ackSeq > SEQ_MAX) throw new OnAirError('ONAIR_ERR_MALFORMED', 'ACK sequence number above 31 bits');
  if (cif.length < SMALL_ACK_SIZE) return { ackSeq };
  const small = { ackSeq, rttUs: cif.readUInt32BE(4), rttVarUs: cif.readUInt32BE(8), availableBuffer: cif.readInt32BE(12) };
  if (cif.length < FULL_ACK_SIZE) return small;
  return { ...small, packetsPerSecond: cif.readUInt32BE(16), linkCapacity: cif.readUInt32BE(20), bytesPerSecond: cif.readUInt32BE(24) };
}

export function encodeLightAck(ackSeq: number): Buffer {
  const out = Buffer.allocUnsafe(LIGHT_ACK_SIZE);
  out.writeUInt32BE(ackSeq, 0);
  return out;
}

export function encodeFullAck(a: Required<AckInfo>): Buffer {
  const out = Buffer.allocUnsafe(FULL_ACK_SIZE);
  out.writeUInt32BE(a.ackSeq, 0);
  out.writeUInt32BE(clampU32(a.rttUs), 4);
  out.writeUInt32BE(clampU32(a.rttVarUs), 8);
  out.writeInt32BE(Math.max(0, Math.min(0x7fff_ffff, a.availableBuffer)), 12);
  out.writeUInt32BE(clampU32(a.packetsPerSecond), 16);
  out.writeUInt32BE(clampU32(a.linkCapacity), 20);
  out.writeUInt32BE(clampU32(a.bytesPerSecond), 24);
  return out;
}

/** A lost range, inclusive; `from === to` for a single packet. */
export interface LossRange {
  readonly from: number;
  readonly to: number;
}

const RANGE_FLAG = 0x8000_0000;

/**
 * Loss list: a word with the top bit set opens a range whose last sequence number is the next word; any
 * other word is one lost packet. At most MAX_LOSS_ENTRIES words are read.
 */
export function decodeLossReport(cif: Buffer): LossRange[] {
  const words = Math.floor(cif.length / 4);
  if (words === 0) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'loss report with no entries');
  if (words > MAX_LOSS_ENTRIES) throw new OnAirError('ONAIR_ERR_LIMIT', `loss report of ${words} words exceeds ${MAX_LOSS_ENTRIES}`);
  const out: LossRange[] = [];
  for (let i = 0; i < words; i++) {
    const w = cif.readUInt32BE(i * 4);
    if (w & RANGE_FLAG) {
      if (i + 1 >= words) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'loss report range without its end');
      const to = cif.readUInt32BE(++i * 4);
      if (to & RANGE_FLAG) throw new OnAirError('ONAIR_ERR_MALFORMED', 'loss report range end has the range flag');
      out.push({ from: w & SEQ_MAX, to });
    } else {
      out.push({ from: w, to: w });
    }
  }
  return out;
}

/** Encodes ranges, stopping before MAX_LOSS_ENTRIES words (the rest goes in the next periodic NAK). */
export function encodeLossReport(ranges: Iterable<LossRange>): Buffer {
  const words: number[] = [];
  for (const r of ranges) {
    const need = r.from === r.to ? 1 : 2;
    if (words.length + need > MAX_LOSS_ENTRIES) break;
    if (need === 1) words.push(r.from);
    else words.push((r.from | RANGE_FLAG) >>> 0, r.to);
  }
  const out = Buffer.allocUnsafe(words.length * 4);
  for (let i = 0; i < words.length; i++) out.writeUInt32BE(words[i]!, i * 4);
  return out;
}

/** Drop request body: the first and last sequence number the sender gave up on. */
export function decodeDropRequest(cif: Buffer): LossRange {
  if (cif.length < 8) throw new OnAirError('ONAIR_ERR_TRUNCATED', `drop request of ${cif.length} bytes`);
  const from = cif.readUInt32BE(0);
  const to = cif.readUInt32BE(4);
  if (from > SEQ_MAX || to > SEQ_MAX) throw new OnAirError('ONAIR_ERR_MALFORMED', 'drop request sequence above 31 bits');
  return { from, to };
}

export function encodeDropRequest(r: LossRange): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeUInt32BE(r.from, 0);
  out.writeUInt32BE(r.to, 4);
  return out;
}

function clampU32(v: number): number {
  return Math.max(0, Math.min(0xffff_ffff, Math.round(v)));
}
