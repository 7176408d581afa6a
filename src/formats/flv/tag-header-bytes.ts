import { OnAirError } from '../../core/errors.js';
import type { MediaPacket } from '../../core/media-packet.js';
import { parseMp3FrameHeader } from '../../codecs/mp3/frame-header.js';

/**
 * Constants and the canonical first byte of FLV audio/video tag bodies (FLV spec 10.1 Annex E.4.2/E.4.3,
 * E-RTMP v2 ExVideoTagHeader/ExAudioTagHeader), shared by the parser and the writer so that a parsed
 * packet carries origin.flvTagHeader only when its wire form differs from what the writer would emit.
 */
export const VIDEO_CODEC_AVC = 7;
/** Non-standard legacy HEVC id used by Chinese CDNs, ffmpeg forks and mpegts.js (codec id 12 in mpegts.js 1.8 `src/demux/flv-demuxer.js`). */
export const VIDEO_CODEC_HEVC_LEGACY = 12;
export const VIDEO_FRAME_KEY = 1;
export const VIDEO_FRAME_INTER = 2;
/** Video info/command frame: carries a command byte, not a picture. */
export const VIDEO_FRAME_COMMAND = 5;

export const EX_VIDEO_SEQUENCE_START = 0;
export const EX_VIDEO_CODED_FRAMES = 1;
export const EX_VIDEO_SEQUENCE_END = 2;
export const EX_VIDEO_CODED_FRAMES_X = 3;
export const EX_VIDEO_METADATA = 4;
export const EX_VIDEO_MULTITRACK = 6;
export const EX_AUDIO_MULTITRACK = 5;

export const SOUND_FORMAT_MP3 = 2;
export const SOUND_FORMAT_EX = 9;
export const SOUND_FORMAT_AAC = 10;
export const SOUND_FORMAT_MP3_8K = 14;

/** FourCCs whose CodedFrames (type 1) carry an SI24 composition time (E-RTMP v2). */
export const CTS_FOURCCS = new Set(['avc1', 'hvc1', 'vvc1']);
export const EX_AUDIO_FOURCCS = new Set(['Opus', 'fLaC', 'ac-3', 'ec-3', '.mp3', 'mp4a']);

/** Whether an E-RTMP header byte is followed directly by a FourCC (not ModEx/Multitrack/command forms). */
export function exVideoHasFourCc(header: number): boolean {
  const packetType = header & 0x0f;
  const frameType = (header >> 4) & 0x07;
  // v2: a command frame carries a UI8 command where the FourCC would be, except for Metadata.
  if (frameType === VIDEO_FRAME_COMMAND && packetType !== EX_VIDEO_METADATA) return false;
  return packetType <= 5;
}

/** Audio packet types followed by a FourCC: SequenceStart, CodedFrames, SequenceEnd, MultichannelConfig. */
export function exAudioHasFourCc(header: number): boolean {
  const packetType = header & 0x0f;
  return packetType <= 2 || packetType === 4;
}

function roleToExPacketType(p: MediaPacket): number {
  if (p.role === 'config') return EX_VIDEO_SEQUENCE_START;
  if (p.role === 'end') return EX_VIDEO_SEQUENCE_END;
  return CTS_FOURCCS.has(p.codec) && p.cts === 0 ? EX_VIDEO_CODED_FRAMES_X : EX_VIDEO_CODED_FRAMES;
}

/** The header byte the writer emits for a non-opaque video packet when no origin says otherwise. */
export function canonicalVideoHeader(p: MediaPacket): number {
  const frameType = p.keyframe ? VIDEO_FRAME_KEY : VIDEO_FRAME_INTER;
  // H.264 goes out in the legacy form so every pre-E-RTMP player plays it.
  if (p.codec === 'avc1') return (frameType << 4) | VIDEO_CODEC_AVC;
  return 0x80 | (frameType << 4) | roleToExPacketType(p);
}

/** The header byte the writer emits for a non-opaque audio packet when no origin says otherwise. */
export function canonicalAudioHeader(p: MediaPacket): number {
  if (p.codec === 'mp4a' && p.role !== 'end') return 0xaf; // AAC, 44 kHz, 16-bit, stereo: fixed by the FLV spec
  if (p.codec === '.mp3' && p.role === 'frame') return mp3HeaderByte(p.data);
  const packetType = p.role === 'config' ? 0 : p.role === 'end' ? 2 : 1;
  return (SOUND_FORMAT_EX << 4) | packetType;
}

/**
 * Legacy MP3 header byte from the frame's own header: 16-bit, mono/stereo, the FLV rate flag at or
 * below the real rate (ffmpeg 5.1 writes 0x2A for 22.05 kHz mono, checked by the fixture tests).
 */
function mp3HeaderByte(frame: Buffer): number {
  let rate = 44100;
  let channels = 2;
  try {
    const h = parseMp3FrameHeader(frame);
    rate = h.sampleRate;
    channels = h.channels;
  } catch {
    // Not a parsable frame header: fall back to the common 44.1 kHz stereo flags.
  }
  const stereo = channels === 2 ? 1 : 0;
  if (rate === 8000) return (SOUND_FORMAT_MP3_8K << 4) | 0x02 | stereo;
  const rateBits = rate >= 32000 ? 3 : rate >= 16000 ? 2 : rate >= 11025 ? 1 : 0;
  return (SOUND_FORMAT_MP3 << 4) | (rateBits << 2) | 0x02 | stereo;
}

export function fourCcBytes(codec: string): Buffer {
  const b = Buffer.from(codec, 'latin1');
  if (codec.length !== 4 || b.length !== 4 || b.toString('latin1') !== codec) {
    throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `codec '${codec}' is not a FourCC and has no FLV form`);
  }
  return b;
}

type Origin = NonNullable<MediaPacket['origin']>;
const headerOnly: Origin[] = [];
const headerAndType: Origin[] = [];

/** Shared frozen origin objects (256 possible header bytes), so parsing allocates none per packet. */
export function originOf(header: number, withExPacketType: boolean): Origin {
  const table = withExPacketType ? headerAndType : headerOnly;
  let o = table[header];
  if (!o) {
    o = Object.freeze(withExPacketType ? { flvTagHeader: header, exPacketType: header & 0x0f } : { flvTagHeader: header });
    table[header] = o;
  }
  return o;
}
