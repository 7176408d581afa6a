import { OnAirError } from '../../core/errors.js';
import type { MediaPacket } from '../../core/media-packet.js';
import {
  CTS_FOURCCS, EX_VIDEO_CODED_FRAMES, EX_VIDEO_CODED_FRAMES_X, EX_VIDEO_SEQUENCE_END, EX_VIDEO_SEQUENCE_START,
  SOUND_FORMAT_AAC, SOUND_FORMAT_EX, SOUND_FORMAT_MP3, SOUND_FORMAT_MP3_8K, VIDEO_CODEC_AVC, VIDEO_CODEC_HEVC_LEGACY,
  VIDEO_FRAME_COMMAND, VIDEO_FRAME_KEY, canonicalAudioHeader, canonicalVideoHeader, exAudioHasFourCc,
  exVideoHasFourCc, fourCcBytes,
} from './tag-header-bytes.js';

/**
 * The bytes that precede `p.data` in the FLV tag body of `p`: header + p.data is the whole body, so a
 * caller can write both without copying the payload. Legacy forms for avc1/mp4a/.mp3 (every player
 * plays them), E-RTMP for other FourCCs; origin.flvTagHeader is reused when it fits the packet.
 */
export function tagBodyHeader(p: MediaPacket): Buffer {
  return p.kind === 'video' ? videoHeader(p) : audioHeader(p);
}

export function videoTagBody(p: MediaPacket): Buffer {
  if (p.kind !== 'video') throw new OnAirError('ONAIR_ERR_STATE', `videoTagBody got a ${p.kind} packet`);
  return Buffer.concat([videoHeader(p), p.data]);
}

export function audioTagBody(p: MediaPacket): Buffer {
  if (p.kind !== 'audio') throw new OnAirError('ONAIR_ERR_STATE', `audioTagBody got a ${p.kind} packet`);
  return Buffer.concat([audioHeader(p), p.data]);
}

function requireOrigin(p: MediaPacket): number {
  const h = p.origin?.flvTagHeader;
  if (h === undefined) {
    throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `${p.role} ${p.codec} packet has no FLV form (no origin.flvTagHeader)`);
  }
  return h & 0xff;
}

function si24(v: number): Buffer {
  if (!Number.isInteger(v) || v < -0x800000 || v > 0x7fffff) {
    throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `composition time ${v} does not fit SI24`);
  }
  const b = Buffer.allocUnsafe(3);
  b.writeIntBE(v, 0, 3);
  return b;
}

const AVC_PACKET_TYPE = { config: 0, frame: 1, end: 2 } as const;

function videoHeader(p: MediaPacket): Buffer {
  if (p.role === 'opaque') {
    const h = requireOrigin(p);
    if (h & 0x80 && exVideoHasFourCc(h)) return Buffer.concat([Buffer.from([h]), fourCcBytes(p.codec)]);
    return Buffer.from([h]);
  }
  const h = reusableVideoOrigin(p) ?? canonicalVideoHeader(p);
  if (!(h & 0x80)) return Buffer.concat([Buffer.from([h, AVC_PACKET_TYPE[p.role]]), si24(p.cts)]);
  const fourCc = fourCcBytes(p.codec);
  const packetType = h & 0x0f;
  if (packetType === EX_VIDEO_CODED_FRAMES && CTS_FOURCCS.has(p.codec)) {
    return Buffer.concat([Buffer.from([h]), fourCc, si24(p.cts)]);
  }
  if (p.cts !== 0) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `E-RTMP ${p.codec} frames carry no composition time`);
  return Buffer.concat([Buffer.from([h]), fourCc]);
}

/** origin.flvTagHeader when it describes the same codec, role and keyframe flag as the packet. */
function reusableVideoOrigin(p: MediaPacket): number | undefined {
  const h = p.origin?.flvTagHeader;
  if (h === undefined) return undefined;
  const frameType = (h >> 4) & 0x07;
  if (frameType === VIDEO_FRAME_COMMAND || (frameType === VIDEO_FRAME_KEY) !== p.keyframe) return undefined;
  if (!(h & 0x80)) {
    const id = h & 0x0f;
    const fits = (id === VIDEO_CODEC_AVC && p.codec === 'avc1') || (id === VIDEO_CODEC_HEVC_LEGACY && p.codec === 'hvc1');
    return fits ? h : undefined;
  }
  const packetType = h & 0x0f;
  if (p.role === 'config') return packetType === EX_VIDEO_SEQUENCE_START ? h : undefined;
  if (p.role === 'end') return packetType === EX_VIDEO_SEQUENCE_END ? h : undefined;
  if (packetType === EX_VIDEO_CODED_FRAMES) return h;
  return packetType === EX_VIDEO_CODED_FRAMES_X && p.cts === 0 ? h : undefined;
}

function audioHeader(p: MediaPacket): Buffer {
  if (p.role === 'opaque') {
    const h = requireOrigin(p);
    if (h >> 4 === SOUND_FORMAT_EX && exAudioHasFourCc(h)) return Buffer.concat([Buffer.from([h]), fourCcBytes(p.codec)]);
    return Buffer.from([h]);
  }
  if (p.codec.startsWith('flv-audio-')) return Buffer.from([requireOrigin(p)]);
  const h = reusableAudioOrigin(p) ?? canonicalAudioHeader(p);
  const format = h >> 4;
  if (format === SOUND_FORMAT_EX) return Buffer.concat([Buffer.from([h]), fourCcBytes(p.codec)]);
  if (format === SOUND_FORMAT_AAC) return Buffer.from([h, p.role === 'config' ? 0 : 1]);
  return Buffer.from([h]); // MP3
}

function reusableAudioOrigin(p: MediaPacket): number | undefined {
  const h = p.origin?.flvTagHeader;
  if (h === undefined) return undefined;
  const format = h >> 4;
  if (format === SOUND_FORMAT_EX) {
    const want = p.role === 'config' ? 0 : p.role === 'end' ? 2 : 1;
    return (h & 0x0f) === want ? h : undefined;
  }
  if (format === SOUND_FORMAT_AAC) return p.codec === 'mp4a' && p.role !== 'end' ? h : undefined;
  if (format === SOUND_FORMAT_MP3 || format === SOUND_FORMAT_MP3_8K) {
    return p.codec === '.mp3' && p.role === 'frame' ? h : undefined;
  }
  return undefined;
}
