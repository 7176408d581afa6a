import { TIMESTAMP_WRAP } from './limits.js';

/** PES packet header (ISO/IEC 13818-1 §2.4.3.6-7). */

export const STREAM_ID_VIDEO = 0xe0;
export const STREAM_ID_AUDIO = 0xc0;

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
