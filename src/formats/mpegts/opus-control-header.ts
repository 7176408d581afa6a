import { OnAirError } from '../../core/errors.js';

/**
 * opus_control_header of the Opus-in-MPEG-TS mapping ("OpusTS", ETSI TS 102 366-style): before each Opus
 * packet in a PES, an 11-bit prefix 0x3FF, start_trim/end_trim/control_extension flags and 2 reserved
 * bits, au_size as bytes of 0xFF continued by one below 0xFF, then the fields the flags announce.
 */
export interface OpusControlHeader {
  readonly size: number;
  /** Samples to drop from the start of this packet (the first packet's is the stream's pre-skip). */
  readonly startTrim: number;
  /** Offset of the Opus packet after the header. */
  readonly payloadAt: number;
}

/** Reads the header at `at`. Throws TRUNCATED/MALFORMED typed errors. */
export function readOpusControlHeader(data: Buffer, at: number): OpusControlHeader {
  if (at + 2 > data.length) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'opus_control_header cut');
  if (data[at] !== 0x7f || (data[at + 1]! & 0xe0) !== 0xe0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'opus_control_header prefix missing');
  const flags = data[at + 1]!;
  let p = at + 2;
  let size = 0;
  for (;;) {
    if (p >= data.length) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'opus au_size cut');
    const b = data[p++]!;
    size += b;
    if (b !== 0xff) break;
  }
  let startTrim = 0;
  if (flags & 0x10) {
    if (p + 2 > data.length) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'opus start_trim cut');
    startTrim = data.readUInt16BE(p) & 0x1fff;
    p += 2;
  }
  if (flags & 0x08) p += 2; // end_trim: the last packet's padding, not needed for timing
  if (flags & 0x04) {
    if (p >= data.length) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'opus control_extension_length cut');
    p += 1 + data[p]!;
  }
  if (p + size > data.length) throw new OnAirError('ONAIR_ERR_TRUNCATED', `Opus packet of ${size} bytes cut at the PES end`);
  return { size, startTrim, payloadAt: p };
}

/** The header for an Opus packet of `size` bytes, no trims, no extension. */
export function writeOpusControlHeader(size: number): Buffer {
  const runs = Math.floor(size / 255);
  const out = Buffer.alloc(2 + runs + 1, 0xff);
  out[0] = 0x7f;
  out[1] = 0xe0;
  out[2 + runs] = size - runs * 255;
  return out;
}
