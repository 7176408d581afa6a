import { type BoxNode, fields, fullBox } from './box-tree.js';
import { findBox } from './box-reader.js';

/**
 * 'mehd' Movie Extends Header (ISO/IEC 14496-12 §8.8.2): the duration of the whole fragmented movie,
 * which a file being recorded does not know yet. Written as version 1 (64-bit) with 0 so the value can be
 * set later in place, without moving a byte of what follows (the moov keeps its size).
 */
export const MEHD_PATH = ['moov', 'mvex', 'mehd'] as const;
/** FullBox header (12 bytes) then fragment_duration. */
const DURATION_AT = 12;

export function mehdBox(duration: number): BoxNode {
  return fullBox('mehd', 1, 0, encodeMehdDuration(duration));
}

/** fragment_duration as written in a version 1 mehd, in the movie timescale. */
export function encodeMehdDuration(duration: number): Buffer {
  return fields(8).u64(Math.max(0, Math.round(duration))).done();
}

/** Where the fragment_duration of an init segment's mehd starts, or undefined when it has none (or not v1). */
export function mehdDurationOffset(init: Buffer): number | undefined {
  const h = findBox(init, MEHD_PATH);
  if (!h || h.size !== h.headerSize + 4 + 8 || init[h.offset + h.headerSize] !== 1) return undefined;
  return h.offset + DURATION_AT;
}
