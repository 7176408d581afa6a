import { OnAirError } from './errors.js';

/** MSB-first bit reader with Exp-Golomb, for codec headers (SPS, AV1 sequence header). Throws past the end. */
export class BitReader {
  private bitPos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get bitsLeft(): number {
    return this.buf.length * 8 - this.bitPos;
  }

  bit(): number {
    if (this.bitPos >= this.buf.length * 8) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'bit reader past end');
    const byte = this.buf[this.bitPos >> 3]!;
    const b = (byte >> (7 - (this.bitPos & 7))) & 1;
    this.bitPos++;
    return b;
  }

  bits(n: number): number {
    if (n > 32) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `bits(${n}) over 32`);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }

  skip(n: number): void {
    if (n > this.bitsLeft) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'bit reader skip past end');
    this.bitPos += n;
  }

  /** Unsigned Exp-Golomb; a prefix over 31 zeros is malformed (ITU-T H.264 9.1 caps values at 2^32-2). */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros > 31) throw new OnAirError('ONAIR_ERR_MALFORMED', 'exp-golomb prefix too long');
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.bits(zeros);
  }

  se(): number {
    const k = this.ue();
    return k & 1 ? (k + 1) / 2 : -(k / 2);
  }
}
