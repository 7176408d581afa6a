import { ByteReader } from '../../core/byte-reader.js';
import { OnAirError } from '../../core/errors.js';

/** AV1CodecConfigurationRecord (AV1 Codec ISO Media File Format Binding 2.3.3). */
export interface Av1Config {
  readonly seqProfile: number;
  readonly seqLevelIdx0: number;
  readonly seqTier0: number;
  readonly bitDepth: 8 | 10 | 12;
  readonly monochrome: boolean;
  readonly chromaSubsamplingX: number;
  readonly chromaSubsamplingY: number;
  readonly chromaSamplePosition: number;
  /** Zero or more OBUs (normally one sequence header), a view into the input. */
  readonly configObus: Buffer;
}

export function parseAv1Config(buf: Buffer): Av1Config {
  const r = new ByteReader(buf);
  const b0 = r.u8('av1C marker');
  if (b0 !== 0x81) throw new OnAirError('ONAIR_ERR_MALFORMED', `av1C marker/version byte 0x${b0.toString(16)}, expected 0x81`);
  const b1 = r.u8('av1C profile');
  const b2 = r.u8('av1C flags');
  r.skip(1, 'av1C initial_presentation_delay');
  const highBitdepth = (b2 >> 6) & 1;
  const twelveBit = (b2 >> 5) & 1;
  return {
    seqProfile: b1 >> 5,
    seqLevelIdx0: b1 & 0x1f,
    seqTier0: b2 >> 7,
    bitDepth: twelveBit ? 12 : highBitdepth ? 10 : 8,
    monochrome: ((b2 >> 4) & 1) === 1,
    chromaSubsamplingX: (b2 >> 3) & 1,
    chromaSubsamplingY: (b2 >> 2) & 1,
    chromaSamplePosition: b2 & 0x03,
    configObus: r.rest(),
  };
}

/** RFC 6381-style string of the AV1 ISOBMFF binding (section "Codecs Parameter String"), short form: av01.P.LLT.DD. */
export function av1CodecString(c: Pick<Av1Config, 'seqProfile' | 'seqLevelIdx0' | 'seqTier0' | 'bitDepth'>): string {
  const level = String(c.seqLevelIdx0).padStart(2, '0');
  return `av01.${c.seqProfile}.${level}${c.seqTier0 ? 'H' : 'M'}.${String(c.bitDepth).padStart(2, '0')}`;
}
