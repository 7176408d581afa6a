import { OnAirError } from './errors.js';

/**
 * Bounds-checked big-endian reader over one Buffer. Every read past the end throws
 * ONAIR_ERR_TRUNCATED: a reader never invents zeros.
 */
export class ByteReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    if (n < 0 || this.pos + n > this.end) {
      throw new OnAirError('ONAIR_ERR_TRUNCATED', `${what}: need ${n} bytes, ${this.end - this.pos} left`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(what = 'u8'): number {
    return this.buf[this.need(1, what)]!;
  }

  u16(what = 'u16'): number {
    return this.buf.readUInt16BE(this.need(2, what));
  }

  u24(what = 'u24'): number {
    return this.buf.readUIntBE(this.need(3, what), 3);
  }

  /** Signed 24-bit (FLV composition time). */
  i24(what = 'i24'): number {
    return this.buf.readIntBE(this.need(3, what), 3);
  }

  u32(what = 'u32'): number {
    return this.buf.readUInt32BE(this.need(4, what));
  }

  u32le(what = 'u32le'): number {
    return this.buf.readUInt32LE(this.need(4, what));
  }

  f64(what = 'f64'): number {
    return this.buf.readDoubleBE(this.need(8, what));
  }

  /** Zero-copy view of the next `n` bytes. */
  bytes(n: number, what = 'bytes'): Buffer {
    const at = this.need(n, what);
    return this.buf.subarray(at, at + n);
  }

  skip(n: number, what = 'skip'): void {
    this.need(n, what);
  }

  /** Zero-copy view of everything left. */
  rest(): Buffer {
    const at = this.pos;
    this.pos = this.end;
    return this.buf.subarray(at, this.end);
  }
}
