import { ByteReader } from '../../core/byte-reader.js';
import { OnAirError, checkLimit } from '../../core/errors.js';
import { MAX_PARAMETER_SETS, MAX_PARAMETER_SET_SIZE } from '../limits.js';
import { parseH264Sps } from './sps.js';

/** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1). Parameter sets are views into the input. */
export interface AvcDecoderConfig {
  readonly profile: number;
  readonly compatibility: number;
  readonly level: number;
  /** Bytes of each NAL length prefix in frames: 1, 2 or 4 (lengthSizeMinusOne + 1). */
  readonly nalLengthSize: number;
  readonly sps: readonly Buffer[];
  readonly pps: readonly Buffer[];
}

/**
 * Profiles whose avcC gets no chroma/bit-depth extension (14496-15 5.3.3.1.2 lists the high profiles that
 * need it; ffmpeg's ff_isom_write_avcc writes it for every profile except these three, and so do we).
 */
const PROFILES_WITHOUT_EXTENSION = new Set([66, 77, 88]);

export function parseAvcDecoderConfig(buf: Buffer): AvcDecoderConfig {
  const r = new ByteReader(buf);
  const version = r.u8('avcC configurationVersion');
  if (version !== 1) throw new OnAirError('ONAIR_ERR_MALFORMED', `avcC configurationVersion ${version}, expected 1`);
  const profile = r.u8('avcC profile');
  const compatibility = r.u8('avcC compatibility');
  const level = r.u8('avcC level');
  const lengthSizeMinusOne = r.u8('avcC lengthSizeMinusOne') & 0x03;
  // lengthSizeMinusOne 2 (3-byte lengths) is reserved by the spec but harmless to read, so accepted.
  const sps = readParameterSets(r, r.u8('avcC numOfSequenceParameterSets') & 0x1f, 'SPS');
  const pps = readParameterSets(r, r.u8('avcC numOfPictureParameterSets'), 'PPS');
  if (sps.length === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'avcC has no SPS');
  return { profile, compatibility, level, nalLengthSize: lengthSizeMinusOne + 1, sps, pps };
}

function readParameterSets(r: ByteReader, count: number, what: string): Buffer[] {
  checkLimit(`avcC ${what} count`, count, MAX_PARAMETER_SETS);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const len = r.u16(`avcC ${what} length`);
    if (len === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', `avcC empty ${what}`);
    out.push(r.bytes(len, `avcC ${what}`));
  }
  return out;
}

/**
 * Builds an avcC from parameter sets, for sources that send Annex-B (SPS/PPS in-band). Profile,
 * compatibility and level are copied from the first SPS, as 14496-15 requires.
 */
export function buildAvcDecoderConfig(
  sps: readonly Buffer[],
  pps: readonly Buffer[],
  nalLengthSize: 1 | 2 | 4 = 4,
): Buffer {
  const first = sps[0];
  if (!first || first.length < 4) throw new OnAirError('ONAIR_ERR_MALFORMED', 'avcC needs an SPS of at least 4 bytes');
  checkLimit('avcC SPS count', sps.length, MAX_PARAMETER_SETS);
  checkLimit('avcC PPS count', pps.length, MAX_PARAMETER_SETS);
  const parts: Buffer[] = [
    Buffer.from([1, first[1]!, first[2]!, first[3]!, 0xfc | (nalLengthSize - 1), 0xe0 | sps.length]),
  ];
  for (const s of sps) parts.push(lengthPrefixed(s));
  parts.push(Buffer.from([pps.length]));
  for (const p of pps) parts.push(lengthPrefixed(p));
  if (!PROFILES_WITHOUT_EXTENSION.has(first[1]!)) {
    // ffmpeg and x264 write the extension; some decoders (Safari's) look for chroma_format in it.
    const info = parseH264Sps(first);
    parts.push(
      Buffer.from([0xfc | info.chromaFormatIdc, 0xf8 | (info.bitDepthLuma - 8), 0xf8 | (info.bitDepthChroma - 8), 0]),
    );
  }
  return Buffer.concat(parts);
}

function lengthPrefixed(nal: Buffer): Buffer {
  checkLimit('parameter set size', nal.length, MAX_PARAMETER_SET_SIZE);
  const b = Buffer.allocUnsafe(2 + nal.length);
  b.writeUInt16BE(nal.length, 0);
  nal.copy(b, 2);
  return b;
}
