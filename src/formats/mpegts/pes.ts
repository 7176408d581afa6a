import { OnAirError } from '../../core/errors.js';
import { TIMESTAMP_WRAP } from './limits.js';

/** PES packet header (ISO/IEC 13818-1 §2.4.3.6-7). */

export const STREAM_ID_VIDEO = 0xe0;
export const STREAM_ID_AUDIO = 0xc0;
/** private_stream_1: Opus in MPEG-TS uses it, as ffmpeg writes it. */
export const STREAM_ID_PRIVATE_1 = 0xbd;

/** Timestamps mod 2^33, negatives included (a hub timeline can start below zero after rebasing). */
export function wrap33(t: number): number {
  const m = Math.round(t) % TIMESTAMP_WRAP;
  return m < 0 ? m + TIMESTAMP_WRAP : m;
}

export function pesHeaderSize(withDts: boolean): number {
  return 9 + (withDts ? 10 : 5);
}

/**
 * Writes a PES header at `at`. `payloadLength` is the elementary-stream bytes that follow; if the
 * resulting PES_packet_length does not fit 16 bits it is written as 0 (allowed for video only).
 * Returns the offset after the header.
 */
export function writePesHeader(
  out: Buffer, at: number, streamId: number, payloadLength: number, pts: number, dts: number | undefined,
): number {
  const headerSize = pesHeaderSize(dts !== undefined);
  const pesLength = headerSize - 6 + payloadLength;
  out.writeUIntBE(0x000001, at, 3);
  out.writeUInt8(streamId, at + 3);
  out.writeUInt16BE(pesLength <= 0xffff ? pesLength : 0, at + 4);
  out.writeUInt8(0x84, at + 6); // '10', not scrambled, data_alignment_indicator: each PES starts an access unit
  out.writeUInt8(dts !== undefined ? 0xc0 : 0x80, at + 7); // PTS_DTS_flags
  out.writeUInt8(headerSize - 9, at + 8);
  writeTimestamp(out, at + 9, dts !== undefined ? 0b0011 : 0b0010, pts);
  if (dts !== undefined) writeTimestamp(out, at + 14, 0b0001, dts);
  return at + headerSize;
}

/** 33 bits in 3/15/15 groups, each followed by a marker bit (§2.4.3.7). Arithmetic, not bit ops: > 32 bits. */
function writeTimestamp(out: Buffer, at: number, prefix: number, t: number): void {
  const v = wrap33(t);
  const hi = Math.floor(v / 2 ** 30); // 3 bits
  const mid = Math.floor(v / 2 ** 15) & 0x7fff;
  const lo = v & 0x7fff;
  out.writeUInt8((prefix << 4) | (hi << 1) | 1, at);
  out.writeUInt16BE((mid << 1) | 1, at + 1);
  out.writeUInt16BE((lo << 1) | 1, at + 3);
}

/** stream_ids without the optional PES header (§2.4.3.6 Table 2-22 note): padding, private_stream_2, ECM, EMM, DSM-CC, H.222.1 E. */
const NO_OPTIONAL_HEADER = new Set([0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xf2, 0xf8, 0xff]);

export interface PesHeader {
  readonly streamId: number;
  /** 33-bit values as on the wire (not unwrapped). */
  readonly pts: number | undefined;
  readonly dts: number | undefined;
  /** Offset of the elementary-stream bytes in the PES. */
  readonly payloadOffset: number;
}

/** Reads the header of a complete PES packet. Throws MALFORMED/TRUNCATED on a header that does not fit. */
export function readPesHeader(pes: Buffer): PesHeader {
  if (pes.length < 6 || pes[0] !== 0 || pes[1] !== 0 || pes[2] !== 1) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', 'PES without packet_start_code_prefix');
  }
  const streamId = pes[3]!;
  if (NO_OPTIONAL_HEADER.has(streamId)) return { streamId, pts: undefined, dts: undefined, payloadOffset: 6 };
  if (pes.length < 9) throw new OnAirError('ONAIR_ERR_TRUNCATED', `PES header of ${pes.length} bytes`);
  if ((pes[6]! & 0xc0) !== 0x80) throw new OnAirError('ONAIR_ERR_MALFORMED', 'PES header without the 10 marker');
  const ptsDts = pes[7]! >> 6;
  const headerLength = pes[8]!;
  const payloadOffset = 9 + headerLength;
  if (payloadOffset > pes.length) throw new OnAirError('ONAIR_ERR_TRUNCATED', `PES_header_data_length ${headerLength} past the PES`);
  if (ptsDts === 1) throw new OnAirError('ONAIR_ERR_MALFORMED', 'PES PTS_DTS_flags 01 (forbidden)');
  const need = ptsDts === 3 ? 10 : ptsDts === 2 ? 5 : 0;
  if (headerLength < need) throw new OnAirError('ONAIR_ERR_MALFORMED', `PES_header_data_length ${headerLength} holds no ${need}-byte timestamps`);
  const pts = ptsDts & 2 ? readTimestamp33(pes, 9) : undefined;
  const dts = ptsDts === 3 ? readTimestamp33(pes, 14) : undefined;
  return { streamId, pts, dts, payloadOffset };
}

/** 33 bits in 3/15/15 groups; the marker bits are not checked (some muxers get them wrong, players ignore them). */
function readTimestamp33(b: Buffer, at: number): number {
  return ((b[at]! >> 1) & 7) * 2 ** 30 + (b.readUInt16BE(at + 1) >> 1) * 2 ** 15 + (b.readUInt16BE(at + 3) >> 1);
}
