import { OnAirError } from '../core/errors.js';
import type { MediaKind, MediaPacket } from '../core/media-packet.js';
import { aacCodecString, parseAudioSpecificConfig } from './aac/audio-specific-config.js';
import { av1CodecString, parseAv1Config } from './av1/av1-config.js';
import { OBU_SEQUENCE_HEADER, parseAv1SequenceHeader, splitObus } from './av1/sequence-header.js';
import { parseAvcDecoderConfig } from './h264/avc-decoder-config.js';
import { h264CodecString } from './h264/codec-string.js';
import { parseH264Sps } from './h264/sps.js';
import { hevcCodecString } from './h265/codec-string.js';
import { parseHevcDecoderConfig } from './h265/hevc-decoder-config.js';
import { parseH265Sps } from './h265/sps.js';
import { parseMp3FrameHeader } from './mp3/frame-header.js';
import { parseVpcC, vp9CodecString } from './vp9/vpcc.js';

/**
 * What a track is, independent of any protocol: enough for HLS CODECS/RESOLUTION, the stream API and
 * an fMP4 init segment. Numeric `profile`/`level` are the codec's own codes: H.264 profile_idc and
 * level_idc (31 = 3.1), H.265 general_profile_idc and general_level_idc (93 = 3.1), AV1 seq_profile
 * and seq_level_idx_0, VP9 profile and level (10 = 1.0), AAC audioObjectType (level unset).
 */
export interface TrackInfo {
  readonly kind: MediaKind;
  /** FourCC as in MediaPacket.codec. */
  readonly codec: string;
  /** RFC 6381 codecs parameter; absent for a codec this server does not know. */
  readonly codecString?: string;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly profile?: number;
  readonly level?: number;
  readonly sampleRate?: number;
  readonly channels?: number;
  /** The decoder configuration record (empty for codecs without one, e.g. MP3). */
  readonly config: Buffer;
}

/**
 * Describes the track of a config packet (or of an '.mp3' frame, MP3 having no config record).
 * Truncated or absurd configs throw OnAirError; unknown codecs give kind and codec only.
 */
export function describeConfig(p: MediaPacket): TrackInfo {
  if (p.codec === '.mp3') return describeMp3(p);
  if (p.role !== 'config') throw new OnAirError('ONAIR_ERR_STATE', `describeConfig needs a config packet, got ${p.role}`);
  const base = { kind: p.kind, codec: p.codec, config: p.data };
  switch (p.codec) {
    case 'avc1': {
      const c = parseAvcDecoderConfig(p.data);
      const sps = parseH264Sps(c.sps[0]!);
      return {
        ...base, codecString: h264CodecString(c), width: sps.width, height: sps.height,
        ...(sps.fps !== undefined ? { fps: sps.fps } : {}), profile: sps.profile, level: sps.level,
      };
    }
    case 'hvc1': {
      const c = parseHevcDecoderConfig(p.data);
      const spsNal = c.sps[0];
      if (!spsNal) throw new OnAirError('ONAIR_ERR_MALFORMED', 'hvcC has no SPS');
      const sps = parseH265Sps(spsNal);
      return {
        ...base, codecString: hevcCodecString(c), width: sps.width, height: sps.height,
        profile: c.profileIdc, level: c.levelIdc,
      };
    }
    case 'av01': {
      const c = parseAv1Config(p.data);
      const seq = splitObus(c.configObus).find((o) => o.type === OBU_SEQUENCE_HEADER);
      const size = seq ? parseAv1SequenceHeader(seq.payload) : undefined;
      return {
        ...base, codecString: av1CodecString(c), profile: c.seqProfile, level: c.seqLevelIdx0,
        ...(size ? { width: size.maxFrameWidth, height: size.maxFrameHeight } : {}),
      };
    }
    case 'vp09': {
      const c = parseVpcC(p.data);
      return { ...base, codecString: vp9CodecString(c), profile: c.profile, level: c.level };
    }
    case 'mp4a': {
      const c = parseAudioSpecificConfig(p.data);
      return {
        ...base, codecString: aacCodecString(c), profile: c.objectType, sampleRate: c.sampleRate,
        ...(c.channels > 0 ? { channels: c.channels } : {}),
      };
    }
    case 'Opus':
      return { ...base, codecString: 'opus', ...describeOpusHead(p.data) };
    case 'fLaC':
      return { ...base, codecString: 'flac' };
    case 'ac-3':
    case 'ec-3':
      return { ...base, codecString: p.codec };
    default:
      return base;
  }
}

function describeMp3(p: MediaPacket): TrackInfo {
  const h = parseMp3FrameHeader(p.data);
  // 'mp4a.6B' (MPEG-1 audio object type in 14496-1) is what browsers accept for MP3 in MP4.
  return {
    kind: 'audio', codec: '.mp3', codecString: 'mp4a.6B', sampleRate: h.sampleRate, channels: h.channels,
    config: Buffer.alloc(0),
  };
}

/** OpusHead (RFC 7845 5.1): 'OpusHead', version, channel count, pre-skip, input sample rate (LE). */
function describeOpusHead(data: Buffer): { channels?: number; sampleRate?: number } {
  if (data.length < 19 || data.toString('latin1', 0, 8) !== 'OpusHead') return {};
  const channels = data[9]!;
  // Opus always decodes at 48 kHz; the header's rate is only the input's, informative.
  return channels > 0 ? { channels, sampleRate: 48000 } : { sampleRate: 48000 };
}
