const EMPTY: readonly never[] = Object.freeze([]);

/**
 * Hands out what a hot-path call collected in a reused array: a shared frozen empty array when nothing was
 * collected (no allocation for the common case), else a copy the caller owns; the scratch array is left empty.
 */
export function takeAll<T>(scratch: T[]): readonly T[] {
  if (scratch.length === 0) return EMPTY;
  const out = scratch.slice();
  scratch.length = 0;
  return out;
}
