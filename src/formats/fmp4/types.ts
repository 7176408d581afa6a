/**
 * Inputs of the fMP4 (ISO/IEC 14496-12, CMAF ISO/IEC 23000-19) writers. Plain data: the codec layer
 * (src/codecs) parses configs and fills these in; this module never parses a bitstream itself.
 */

/**
 * Sample-entry FourCC. '.mp3' is written as an 'mp4a' sample entry with objectTypeIndication 0x6B
 * (MPEG-1 Audio, MP4RA registry; ISO/IEC 14496-12 has no '.mp3' sample entry — that FourCC is the
 * Enhanced RTMP name). Browsers accept it as `mp4a.6B`/`mp4a.40.34`; it is not a CMAF media profile.
 */
export type Fmp4Codec = 'avc1' | 'hvc1' | 'av01' | 'mp4a' | 'Opus' | '.mp3';

export interface Fmp4Track {
  /** track_ID, >= 1, unique per init segment; tfhd of every fragment refers to it. */
  readonly id: number;
  readonly kind: 'video' | 'audio';
  /** Ticks per second of every time value given for this track (mdhd timescale). */
  readonly timescale: number;
  readonly codec: Fmp4Codec;
  /**
   * Decoder configuration payload (no box header): AVCDecoderConfigurationRecord (avcC),
   * HEVCDecoderConfigurationRecord (hvcC), AV1CodecConfigurationRecord (av1C), AudioSpecificConfig
   * (mp4a), and for Opus either an OpusHead ID header (RFC 7845 §5.1, little-endian, as carried by
   * Enhanced RTMP) or an already formed dOps payload. Ignored for '.mp3'.
   */
  readonly config: Buffer;
  /** Video: coded picture size in pixels (VisualSampleEntry, tkhd). Required for video. */
  readonly width?: number;
  readonly height?: number;
  /** Audio: output sample rate in Hz (AudioSampleEntry). Required for audio. */
  readonly sampleRate?: number;
  readonly channels?: number;
}

export interface Fmp4Sample {
  /** Decode time, track timescale. */
  readonly dts: number;
  /**
   * Composition offset (pts − dts), track timescale. May be negative: trun is written as version 1
   * (signed sample_composition_time_offset, ISO/IEC 14496-12 §8.8.8), which CMAF requires for that case.
   */
  readonly cts: number;
  /** Sample duration, track timescale; the next sample's dts is dts + duration. */
  readonly duration: number;
  /** Sync sample (video IDR / random access point; every audio frame). */
  readonly keyframe: boolean;
  /** Sample payload: AVCC/HVCC length-prefixed NAL units, AV1 OBUs (low-overhead format), raw audio frame. */
  readonly data: Buffer;
}

/** One track's run of samples inside a fragment. */
export interface Fmp4FragmentPart {
  readonly track: Fmp4Track;
  /** tfdt baseMediaDecodeTime: must equal samples[0].dts. */
  readonly baseDts: number;
  readonly samples: readonly Fmp4Sample[];
}
