/** A single byte range (RFC 9110 §14.1.2), inclusive; 'unsatisfiable' answers 416; undefined = whole body. */
export type RangeSpec = { readonly start: number; readonly end: number } | 'unsatisfiable' | undefined;

const RANGE = /^bytes=(\d{0,15})-(\d{0,15})$/;

/** Parses `Range` for a body of `size` bytes. Multiple ranges are answered with the whole body (allowed, §14.2). */
export function parseRange(header: string | undefined, size: number): RangeSpec {
  if (!header) return undefined;
  const m = RANGE.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** The bytes [start, end] of a list of buffers, as views (no copy). */
export function sliceChunks(chunks: readonly Buffer[], start: number, end: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const c of chunks) {
    const from = Math.max(start - at, 0);
    const to = Math.min(end + 1 - at, c.length);
    if (from < to) out.push(from === 0 && to === c.length ? c : c.subarray(from, to));
    at += c.length;
    if (at > end) break;
  }
  return out;
}
