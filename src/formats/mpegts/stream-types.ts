import type { PmtElementaryStream } from './psi-read.js';

/**
 * Which elementary streams the demuxer reads, and as what (stream_type per ISO/IEC 13818-1 Table 2-34;
 * private data 0x06 is told apart by its registration descriptor, §2.6.8). Codecs use the hub's FourCCs.
 */
export type TsCodec = 'avc1' | 'hvc1' | 'mp4a' | 'Opus' | '.mp3';

export interface TsTrack {
  readonly pid: number;
  readonly streamType: number;
  readonly kind: 'video' | 'audio';
  readonly codec: TsCodec;
  /** Opus: channel_config_code of the Opus audio descriptor (0 = dual mono, 1..8 = channels). */
  readonly opusChannelConfig?: number;
}

export const STREAM_TYPE_MPEG1_AUDIO = 0x03;
export const STREAM_TYPE_MPEG2_AUDIO = 0x04;
export const STREAM_TYPE_PRIVATE_PES = 0x06;
export const STREAM_TYPE_ADTS_AAC = 0x0f;
export const STREAM_TYPE_H264 = 0x1b;
export const STREAM_TYPE_H265 = 0x24;

const DESCRIPTOR_REGISTRATION = 0x05;
const DESCRIPTOR_EXTENSION = 0x7f;
/** extension_descriptor_tag of the Opus audio descriptor (ETSI TS 102 366-style Opus mapping, "OpusTS"). */
const EXTENSION_OPUS = 0x80;

/** The track for an elementary stream, or undefined when its codec is not read (AC-3, LATM AAC, data...). */
export function trackOf(es: PmtElementaryStream): TsTrack | undefined {
  const base = { pid: es.pid, streamType: es.streamType };
  switch (es.streamType) {
    case STREAM_TYPE_H264:
      return { ...base, kind: 'video', codec: 'avc1' };
    case STREAM_TYPE_H265:
      return { ...base, kind: 'video', codec: 'hvc1' };
    case STREAM_TYPE_ADTS_AAC:
      return { ...base, kind: 'audio', codec: 'mp4a' };
    case STREAM_TYPE_MPEG1_AUDIO:
    case STREAM_TYPE_MPEG2_AUDIO:
      return { ...base, kind: 'audio', codec: '.mp3' };
    case STREAM_TYPE_PRIVATE_PES: {
      const reg = es.descriptors.find((d) => d.tag === DESCRIPTOR_REGISTRATION);
      if (reg?.data.toString('latin1', 0, 4) !== 'Opus') return undefined;
      const ext = es.descriptors.find((d) => d.tag === DESCRIPTOR_EXTENSION && d.data[0] === EXTENSION_OPUS && d.data.length >= 2);
      // Without the descriptor the mapping says nothing of the layout; stereo is what every encoder sends.
      return { ...base, kind: 'audio', codec: 'Opus', opusChannelConfig: ext ? ext.data[1]! : 2 };
    }
    default:
      return undefined;
  }
}

export function sameTrack(a: TsTrack, b: TsTrack): boolean {
  return a.pid === b.pid && a.streamType === b.streamType && a.codec === b.codec && a.opusChannelConfig === b.opusChannelConfig;
}
