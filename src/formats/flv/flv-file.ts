import { OnAirError } from '../../core/errors.js';

/** FLV tag types (FLV spec E.4.1). */
export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;
export type FlvTagType = typeof FLV_TAG_AUDIO | typeof FLV_TAG_VIDEO | typeof FLV_TAG_SCRIPT;

export const FLV_FILE_HEADER_SIZE = 9;
export const FLV_TAG_HEADER_SIZE = 11;
export const FLV_PREVIOUS_TAG_SIZE_BYTES = 4;
/** DataSize is UI24. */
export const FLV_MAX_BODY_SIZE = 0xffffff;

/**
 * 'FLV', version 1, flags (audio 0x04, video 0x01), DataOffset 9, then PreviousTagSize0 = 0: 13 bytes.
 * The flags must be true to the stream: mpegts.js waits for the config of every flagged track
 * (mpegts.js 1.8 `src/demux/flv-demuxer.js`, xqq/mpegts.js#191).
 */
export function flvFileHeader(tracks: { readonly audio: boolean; readonly video: boolean }): Buffer {
  const b = Buffer.alloc(FLV_FILE_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE_BYTES);
  b.write('FLV', 0, 'latin1');
  b[3] = 1;
  b[4] = (tracks.audio ? 0x04 : 0) | (tracks.video ? 0x01 : 0);
  b.writeUInt32BE(FLV_FILE_HEADER_SIZE, 5);
  return b;
}

/**
 * The 11-byte tag header and 4-byte PreviousTagSize around a body of `bodyLength` bytes, for writers
 * that send header, body and trailer without copying the body. `timestamp` is in ms and wraps at 2^32
 * (24 bits + the TimestampExtended byte), as FLV timestamps do.
 */
export function flvTagParts(
  typeId: FlvTagType,
  timestamp: number,
  bodyLength: number,
): { readonly header: Buffer; readonly trailer: Buffer } {
  if (bodyLength > FLV_MAX_BODY_SIZE) {
    throw new OnAirError('ONAIR_ERR_LIMIT', `FLV tag body ${bodyLength} exceeds limit ${FLV_MAX_BODY_SIZE}`);
  }
  if (!Number.isFinite(timestamp) || timestamp < 0) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `FLV timestamp ${timestamp} is not a non-negative number`);
  }
  const header = Buffer.alloc(FLV_TAG_HEADER_SIZE);
  writeFlvTagHeader(header, 0, typeId, timestamp, bodyLength);
  const trailer = Buffer.allocUnsafe(FLV_PREVIOUS_TAG_SIZE_BYTES);
  trailer.writeUInt32BE(FLV_TAG_HEADER_SIZE + bodyLength, 0);
  return { header, trailer };
}

/**
 * Writes the 11-byte tag header at `offset` of `into` (StreamID zero). The caller has checked `bodyLength`
 * (<= FLV_MAX_BODY_SIZE) and `timestamp` (finite, >= 0): fan-out writes one per cohort of viewers into a buffer
 * that also holds the body.
 */
export function writeFlvTagHeader(into: Buffer, offset: number, typeId: FlvTagType, timestamp: number, bodyLength: number): void {
  const ts = Math.floor(timestamp) % 2 ** 32;
  into[offset] = typeId;
  into.writeUIntBE(bodyLength, offset + 1, 3);
  into.writeUIntBE(ts & 0xffffff, offset + 4, 3);
  into[offset + 7] = ts >>> 24; // TimestampExtended: the upper 8 bits
  into.writeUIntBE(0, offset + 8, 3); // StreamID
}

/** One complete tag: header + body + PreviousTagSize (copies the body once). */
export function flvTag(typeId: FlvTagType, timestamp: number, body: Buffer): Buffer {
  const { header, trailer } = flvTagParts(typeId, timestamp, body.length);
  return Buffer.concat([header, body, trailer], FLV_TAG_HEADER_SIZE + body.length + FLV_PREVIOUS_TAG_SIZE_BYTES);
}
