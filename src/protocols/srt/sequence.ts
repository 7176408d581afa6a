import { SEQ_MAX, SEQ_MODULUS } from './limits.js';

/**
 * 31-bit sequence number arithmetic (libsrt CSeqNo). Two numbers are compared by their distance on the
 * circle, so 0x7FFFFFFF is just before 0; any distance is taken in (-2^30, 2^30].
 */
const HALF = SEQ_MODULUS / 2;

/** b - a on the circle: positive when b is after a. */
export function seqOffset(a: number, b: number): number {
  let d = b - a;
  if (d > HALF) d -= SEQ_MODULUS;
  else if (d <= -HALF) d += SEQ_MODULUS;
  return d;
}

/** <0, 0, >0 like a comparator: a before, equal to, after b. */
export function seqCompare(a: number, b: number): number {
  return -seqOffset(a, b);
}

export function seqAdd(seq: number, n: number): number {
  return (((seq + n) % SEQ_MODULUS) + SEQ_MODULUS) % SEQ_MODULUS;
}

export function seqNext(seq: number): number {
  return seq === SEQ_MAX ? 0 : seq + 1;
}

export function seqPrev(seq: number): number {
  return seq === 0 ? SEQ_MAX : seq - 1;
}

/** Number of sequence numbers from a to b inclusive (b at or after a). */
export function seqLength(a: number, b: number): number {
  return seqOffset(a, b) + 1;
}
