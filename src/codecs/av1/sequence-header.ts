import { BitReader } from '../../core/bit-reader.js';
import { OnAirError, checkLimit } from '../../core/errors.js';
import { checkDimensions } from '../dimensions.js';
import { MAX_OBUS } from '../limits.js';

/** OBU types (AV1 spec 6.2.2). */
export const OBU_SEQUENCE_HEADER = 1;
export const OBU_TEMPORAL_DELIMITER = 2;

export interface Av1Obu {
  readonly type: number;
  /** OBU payload (after header and size), a view into the input. */
  readonly payload: Buffer;
}

/** Walks low-overhead OBUs (AV1 spec 5.3); every OBU must carry obu_has_size_field except a last one. */
export function splitObus(buf: Buffer): Av1Obu[] {
  const out: Av1Obu[] = [];
  let pos = 0;
  while (pos < buf.length) {
    checkLimit('AV1 OBU count', out.length + 1, MAX_OBUS);
    const header = buf[pos]!;
    if (header & 0x80) throw new OnAirError('ONAIR_ERR_MALFORMED', 'AV1 obu_forbidden_bit set');
    const type = (header >> 3) & 0x0f;
    const hasExtension = (header & 0x04) !== 0;
    const hasSize = (header & 0x02) !== 0;
    pos += hasExtension ? 2 : 1;
    let size = buf.length - pos;
    if (hasSize) {
      const leb = readLeb128(buf, pos);
      pos += leb.bytes;
      size = leb.value;
    }
    if (pos > buf.length || size > buf.length - pos) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `AV1 OBU size ${size} past the end`);
    }
    out.push({ type, payload: buf.subarray(pos, pos + size) });
    pos += size;
  }
  return out;
}

/** leb128() (AV1 spec 4.10.5): at most 8 bytes, value < 2^32. */
function readLeb128(buf: Buffer, at: number): { value: number; bytes: number } {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const b = buf[at + i];
    if (b === undefined) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'AV1 leb128 cut');
    value += (b & 0x7f) * 2 ** (7 * i);
    if (!(b & 0x80)) {
      if (value > 0xffffffff) throw new OnAirError('ONAIR_ERR_MALFORMED', 'AV1 leb128 over 2^32-1');
      return { value, bytes: i + 1 };
    }
  }
  throw new OnAirError('ONAIR_ERR_MALFORMED', 'AV1 leb128 longer than 8 bytes');
}

export interface Av1SequenceHeader {
  readonly seqProfile: number;
  readonly maxFrameWidth: number;
  readonly maxFrameHeight: number;
}

/** sequence_header_obu() (AV1 spec 5.5.1) up to max_frame_height_minus_1. */
export function parseAv1SequenceHeader(payload: Buffer): Av1SequenceHeader {
  const r = new BitReader(payload);
  const seqProfile = r.bits(3);
  if (seqProfile > 2) throw new OnAirError('ONAIR_ERR_MALFORMED', `AV1 seq_profile ${seqProfile}`);
  r.skip(1); // still_picture
  const reduced = r.bit() === 1;
  if (reduced) {
    r.skip(5); // seq_level_idx[0]
  } else {
    let decoderModelInfo = false;
    let bufferDelayLength = 0;
    if (r.bit()) {
      // timing_info()
      r.skip(64); // num_units_in_display_tick, time_scale
      if (r.bit()) readUvlc(r); // equal_picture_interval: num_ticks_per_picture_minus_1
      decoderModelInfo = r.bit() === 1;
      if (decoderModelInfo) {
        bufferDelayLength = r.bits(5) + 1;
        r.skip(32 + 5 + 5); // num_units_in_decoding_tick, buffer_removal_time_length, frame_presentation_time_length
      }
    }
    const initialDisplayDelay = r.bit() === 1;
    const operatingPoints = r.bits(5) + 1;
    for (let i = 0; i < operatingPoints; i++) {
      r.skip(12); // operating_point_idc
      if (r.bits(5) > 7) r.skip(1); // seq_level_idx > 7 -> seq_tier
      if (decoderModelInfo && r.bit()) r.skip(2 * bufferDelayLength + 1); // operating_parameters_info
      if (initialDisplayDelay && r.bit()) r.skip(4);
    }
  }
  const widthBits = r.bits(4) + 1;
  const heightBits = r.bits(4) + 1;
  const maxFrameWidth = r.bits(widthBits) + 1;
  const maxFrameHeight = r.bits(heightBits) + 1;
  checkDimensions('AV1 sequence header', maxFrameWidth, maxFrameHeight);
  return { seqProfile, maxFrameWidth, maxFrameHeight };
}

/** uvlc() (AV1 spec 4.10.3). */
function readUvlc(r: BitReader): number {
  let zeros = 0;
  while (r.bit() === 0) {
    if (++zeros >= 32) return 2 ** 32 - 1;
  }
  return zeros === 0 ? 0 : r.bits(zeros) + 2 ** zeros - 1;
}
