import type { MediaPacket } from '../../core/media-packet.js';
import { describeConfig, parseAudioSpecificConfig, parseMp3FrameHeader, type TrackInfo } from '../../codecs/index.js';
import type { Fmp4Codec, Fmp4Track } from '../../formats/fmp4/index.js';
import type { TsAudioStreamType, TsVideoStreamType } from '../../formats/mpegts/index.js';
import { VIDEO_TIMESCALE } from './limits.js';

/** One track as the packager carries it: what fMP4 and TS need, decided once per publisher session. */
export interface HlsTrack {
  readonly kind: 'video' | 'audio';
  readonly codec: string;
  readonly info: TrackInfo;
  readonly fmp4: Fmp4Track;
  /** Audio: samples per frame in the track timescale (AAC 1024, MP3 1152/576, Opus 960 = 20 ms). */
  readonly frameDuration?: number;
  /** MPEG-TS stream_type, when this codec can go in TS (H.264, H.265, AAC, MP3). */
  readonly tsStreamType?: TsVideoStreamType | TsAudioStreamType;
}

const FMP4_VIDEO: readonly string[] = ['avc1', 'hvc1', 'av01'];
const FMP4_AUDIO: readonly string[] = ['mp4a', '.mp3', 'Opus'];
/** Opus in MP4 always runs at 48 kHz (RFC 7845 §4; ISO/IEC 14496-3 Opus mapping). */
const OPUS_RATE = 48_000;
const OPUS_FRAME = 960;
/** AAC core frames are 1024 samples (ISO/IEC 14496-3 §4.5.1.1; 960-sample frames are not used in FLV). */
const AAC_FRAME = 1024;

/** Whether HLS can carry this codec (fMP4 sample entries this server writes). */
export function hlsSupports(kind: 'video' | 'audio', codec: string): boolean {
  return (kind === 'video' ? FMP4_VIDEO : FMP4_AUDIO).includes(codec);
}

/**
 * Builds a track from its config packet (an '.mp3' frame for MP3, which has no config). Throws OnAirError
 * on a malformed config or an unsupported codec. Video is track 1, audio track 2.
 */
export function hlsTrack(p: MediaPacket): HlsTrack {
  const info = describeConfig(p);
  if (p.kind === 'video') {
    const fmp4: Fmp4Track = {
      id: 1, kind: 'video', timescale: VIDEO_TIMESCALE, codec: p.codec as Fmp4Codec, config: info.config,
      width: info.width ?? 0, height: info.height ?? 0,
    };
    const tsStreamType = p.codec === 'avc1' ? 0x1b : p.codec === 'hvc1' ? 0x24 : undefined;
    return { kind: 'video', codec: p.codec, info, fmp4, ...(tsStreamType ? { tsStreamType } : {}) };
  }
  let timescale: number;
  let frameDuration: number;
  let tsStreamType: TsAudioStreamType | undefined;
  if (p.codec === 'mp4a') {
    // The core rate: HE-AAC's SBR doubles the output rate, but frames are 1024 core samples.
    timescale = parseAudioSpecificConfig(p.data).coreSampleRate;
    frameDuration = AAC_FRAME;
    tsStreamType = 0x0f;
  } else if (p.codec === '.mp3') {
    const h = parseMp3FrameHeader(p.data);
    timescale = h.sampleRate;
    frameDuration = h.samplesPerFrame;
    tsStreamType = h.version === 1 ? 0x03 : 0x04;
  } else {
    timescale = OPUS_RATE;
    frameDuration = OPUS_FRAME;
  }
  const fmp4: Fmp4Track = {
    id: 2, kind: 'audio', timescale, codec: p.codec as Fmp4Codec, config: info.config,
    sampleRate: info.sampleRate ?? timescale, channels: info.channels ?? 2,
  };
  return { kind: 'audio', codec: p.codec, info, fmp4, frameDuration, ...(tsStreamType ? { tsStreamType } : {}) };
}

/** True when a new config means a new init segment (EXT-X-MAP) is needed. */
export function sameTrack(a: HlsTrack | undefined, b: HlsTrack | undefined): boolean {
  if (!a || !b) return a === b;
  return a.codec === b.codec && a.fmp4.timescale === b.fmp4.timescale && a.fmp4.config.equals(b.fmp4.config);
}

/** RFC 6381 CODECS for the master playlist, video first. */
export function codecsAttribute(tracks: readonly HlsTrack[]): string | undefined {
  const list = tracks.map((t) => t.info.codecString).filter((c): c is string => c !== undefined);
  return list.length > 0 ? list.join(',') : undefined;
}
