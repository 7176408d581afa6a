/** Helpers for golden chunk-stream fixtures (test-only). */

/** Hex strings (spaces ignored) and buffers, concatenated. */
export function bytes(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p.replace(/\s+/g, ''), 'hex') : p)));
}

/** A recognisable payload: byte i = (i + seed) & 0xff. */
export function pat(n: number, seed = 0): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i + seed) & 0xff));
}
