import { type BoxNode, fullBox } from './box-tree.js';

/**
 * 'esds' box payload: ES_Descriptor (ISO/IEC 14496-1 §7.2.6.5) with DecoderConfigDescriptor (§7.2.6.6),
 * DecoderSpecificInfo (the AudioSpecificConfig, ISO/IEC 14496-3 §1.6.2.1) and SLConfigDescriptor
 * (predefined 2 = "reserved for use in MP4 files", ISO/IEC 14496-14 §3.1.2). hls.js derives the MSE codec
 * string mp4a.40.N from this box, so an incomplete esds makes playback fail (hls.js 1.7 `src/utils/mp4-tools.ts` parseInitSegment;
 * video-dev/hls.js#7142).
 */

/** objectTypeIndication values (MP4RA / ISO/IEC 14496-1 Table 5). */
export const OTI_AAC = 0x40;
export const OTI_MPEG1_AUDIO = 0x6b;

const TAG_ES = 0x03;
const TAG_DECODER_CONFIG = 0x04;
const TAG_DECODER_SPECIFIC = 0x05;
const TAG_SL_CONFIG = 0x06;
/** streamType 0x05 = AudioStream, upStream 0, reserved 1 (§7.2.6.6.1). */
const AUDIO_STREAM_BYTE = (0x05 << 2) | 1;

/** Expandable size field (§8.3.3): 7 bits per byte, high bit = more bytes follow; minimal length. */
export function descriptorLength(n: number): Buffer {
  const groups: number[] = [n & 0x7f];
  for (let v = n >>> 7; v > 0; v >>>= 7) groups.unshift((v & 0x7f) | 0x80);
  return Buffer.from(groups);
}

function descriptor(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.of(tag), descriptorLength(body.length), body]);
}

/** ES_Descriptor bytes; `asc` empty means no DecoderSpecificInfo (MPEG-1 audio carries none). */
export function esDescriptor(objectType: number, asc: Buffer, avgBitrate = 0, maxBitrate = 0): Buffer {
  const dsi = asc.length > 0 ? descriptor(TAG_DECODER_SPECIFIC, asc) : Buffer.alloc(0);
  const dcdFixed = Buffer.alloc(13);
  dcdFixed.writeUInt8(objectType, 0);
  dcdFixed.writeUInt8(AUDIO_STREAM_BYTE, 1);
  dcdFixed.writeUIntBE(0, 2, 3); // bufferSizeDB: unknown for live, 0 is accepted by every demuxer we test
  dcdFixed.writeUInt32BE(maxBitrate, 5);
  dcdFixed.writeUInt32BE(avgBitrate, 9);
  const dcd = descriptor(TAG_DECODER_CONFIG, Buffer.concat([dcdFixed, dsi]));
  const sl = descriptor(TAG_SL_CONFIG, Buffer.of(0x02));
  // ES_ID 0 ("set to 0 as stored", ISO/IEC 14496-14 §3.1.2); flags 0: no dependsOn, URL or OCR stream.
  return descriptor(TAG_ES, Buffer.concat([Buffer.of(0, 0, 0), dcd, sl]));
}

export function esdsBox(objectType: number, asc: Buffer): BoxNode {
  return fullBox('esds', 0, 0, esDescriptor(objectType, asc));
}
