import { OnAirError } from '../../core/errors.js';

/**
 * Growable big-endian writer shared by the AMF0 and AMF3 encoders: one backing Buffer that doubles
 * when full (amortised O(n), no Buffer.concat per value). Refuses to grow past `maxBytes`.
 */
export class AmfWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(
    private readonly maxBytes: number,
    initialSize = 256,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(initialSize, maxBytes));
  }

  private ensure(n: number): number {
    const need = this.pos + n;
    if (need > this.buf.length) {
      if (need > this.maxBytes) {
        throw new OnAirError('ONAIR_ERR_LIMIT', `encoded AMF would exceed ${this.maxBytes} bytes`);
      }
      const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(need, this.buf.length * 2)));
      this.buf.copy(grown, 0, 0, this.pos);
      this.buf = grown;
    }
    const at = this.pos;
    this.pos = need;
    return at;
  }

  // Each method calls ensure() before touching this.buf: ensure() may replace the buffer, and
  // `this.buf.write(x, this.ensure(n))` would evaluate the old buffer first.
  u8(v: number): void {
    const at = this.ensure(1);
    this.buf[at] = v;
  }

  u16(v: number): void {
    const at = this.ensure(2);
    this.buf.writeUInt16BE(v, at);
  }

  i16(v: number): void {
    const at = this.ensure(2);
    this.buf.writeInt16BE(v, at);
  }

  u32(v: number): void {
    const at = this.ensure(4);
    this.buf.writeUInt32BE(v, at);
  }

  f64(v: number): void {
    const at = this.ensure(8);
    this.buf.writeDoubleBE(v, at);
  }

  bytes(src: Uint8Array): void {
    const at = this.ensure(src.length);
    this.buf.set(src, at);
  }

  /** Writes `s` as UTF-8; `byteLength` must be `Buffer.byteLength(s)` (callers need it for the prefix). */
  utf8(s: string, byteLength: number): void {
    const at = this.ensure(byteLength);
    this.buf.write(s, at, byteLength, 'utf8');
  }

  /** The bytes written so far (a view of the backing buffer). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
