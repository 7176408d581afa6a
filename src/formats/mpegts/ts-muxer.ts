import { OnAirError, checkLimit } from '../../core/errors.js';
import {
  MAX_AUDIO_PES_BYTES, MAX_VIDEO_PES_BYTES, PCR_INTERVAL_90K, PID_AUDIO, PID_PAT, PID_PMT, PID_VIDEO,
  TIMESTAMP_WRAP, TS_PACKET_SIZE,
} from './limits.js';
import { ChunkCursor, packetCount, packetize } from './packetizer.js';
import { writeOpusControlHeader } from './opus-control-header.js';
import { STREAM_ID_AUDIO, STREAM_ID_PRIVATE_1, STREAM_ID_VIDEO, pesHeaderSize, wrap33, writePesHeader } from './pes.js';
import { type PmtStream, patSection, pmtSection } from './psi.js';

/**
 * stream_type (ISO/IEC 13818-1 Table 2-34): 0x1B H.264, 0x24 H.265, 0x0F ADTS AAC, 0x03/0x04 MPEG-1/2
 * audio, 0x06 private PES (here: Opus, told apart by its registration descriptor).
 */
export type TsVideoStreamType = 0x1b | 0x24;
export type TsAudioStreamType = 0x0f | 0x03 | 0x04 | 0x06;

export interface TsMuxerOptions {
  readonly video?: { readonly streamType: TsVideoStreamType };
  /** Opus (0x06): `opusChannels` 1..8 (Vorbis order) for the Opus audio descriptor's channel_config_code. */
  readonly audio?: { readonly streamType: TsAudioStreamType; readonly opusChannels?: number };
}

export interface TsVideoPes {
  /** 90 kHz; any integer (written mod 2^33). */
  readonly pts90k: number;
  readonly dts90k: number;
  readonly keyframe: boolean;
  /** One Annex-B access unit (start codes); keyframes should carry SPS/PPS (VPS for H.265) in band. */
  readonly data: Buffer;
}

export interface TsAudioPes {
  readonly pts90k: number;
  /** One or more ADTS frames (AAC) or MPEG audio frames; one Opus packet (its control header is added here). */
  readonly data: Buffer;
}

/** Access unit delimiters (H.264 nal_unit_type 9, H.265 type 35): ISO/IEC 13818-1 §2.14.1 wants one
 *  at the start of each AVC access unit in TS; inserted when the encoder did not write one. */
const AUD_H264 = Buffer.of(0, 0, 0, 1, 0x09, 0xf0);
const AUD_H265 = Buffer.of(0, 0, 0, 1, 0x46, 0x01, 0x50);

/**
 * MPEG-2 transport stream muxer for one program (HLS segments, RFC 8216 §3.2). Sans-IO: each call returns
 * one Buffer of whole 188-byte packets, sized once. State: one continuity counter per PID and the last PCR.
 */
export class TsMuxer {
  private readonly cc = new Map<number, number>();
  private pcrPid = PID_VIDEO;
  private streams: PmtStream[] = [];
  private pmtVersion = 0;
  private lastPcr: number | undefined;

  constructor(private options: TsMuxerOptions) {
    this.setStreams(options);
  }

  /**
   * Changes the program's streams (a track appeared, a codec changed) for a continuous output: continuity
   * counters run on and the PMT's version_number steps so demuxers read the new table. Call writeTables next.
   */
  reconfigure(options: TsMuxerOptions): void {
    this.setStreams(options);
    this.options = options;
    this.pmtVersion = (this.pmtVersion + 1) & 0x1f;
    this.lastPcr = undefined;
  }

  private setStreams(options: TsMuxerOptions): void {
    const streams: PmtStream[] = [];
    if (options.video) streams.push({ streamType: options.video.streamType, pid: PID_VIDEO });
    if (options.audio) streams.push({ streamType: options.audio.streamType, pid: PID_AUDIO, descriptors: audioDescriptors(options.audio) });
    if (streams.length === 0) throw new OnAirError('ONAIR_ERR_CONFIG', 'TsMuxer needs a video or an audio stream');
    this.streams = streams;
    // PCR rides on the video PID, or on audio when there is no video (§2.4.4.9 PCR_PID).
    this.pcrPid = options.video ? PID_VIDEO : PID_AUDIO;
  }

  /** PAT then PMT (with CRC32), the first two packets of every HLS segment (RFC 8216 §3.2). */
  writeTables(): Buffer {
    const pat = Buffer.concat([Buffer.of(0), patSection(PID_PMT)]); // pointer_field 0
    const pmt = Buffer.concat([Buffer.of(0), pmtSection(this.pcrPid, this.streams, this.pmtVersion)]);
    const out = Buffer.alloc(2 * TS_PACKET_SIZE);
    this.cc.set(PID_PAT, packetize(out, 0, new ChunkCursor([pat]), pat.length, { pid: PID_PAT, psiPadding: true }, this.nextCc(PID_PAT)));
    this.cc.set(PID_PMT, packetize(out, TS_PACKET_SIZE, new ChunkCursor([pmt]), pmt.length, { pid: PID_PMT, psiPadding: true }, this.nextCc(PID_PMT)));
    return out;
  }

  writeVideo(pes: TsVideoPes): Buffer {
    const video = this.options.video;
    if (!video) throw new OnAirError('ONAIR_ERR_STATE', 'TsMuxer has no video stream');
    const aud = hasAud(pes.data, video.streamType) ? undefined : video.streamType === 0x24 ? AUD_H265 : AUD_H264;
    const esLength = (aud?.length ?? 0) + pes.data.length;
    checkLimit('video PES bytes', esLength, MAX_VIDEO_PES_BYTES);
    const dts = wrap33(pes.dts90k) === wrap33(pes.pts90k) ? undefined : pes.dts90k;
    return this.writePes(PID_VIDEO, STREAM_ID_VIDEO, aud ? [aud, pes.data] : [pes.data], esLength, pes.pts90k, dts, pes.keyframe);
  }

  writeAudio(pes: TsAudioPes): Buffer {
    const audio = this.options.audio;
    if (!audio) throw new OnAirError('ONAIR_ERR_STATE', 'TsMuxer has no audio stream');
    const es = audio.streamType === STREAM_TYPE_OPUS ? [writeOpusControlHeader(pes.data.length), pes.data] : [pes.data];
    const length = es.reduce((n, b) => n + b.length, 0);
    checkLimit('audio PES bytes', length, MAX_AUDIO_PES_BYTES);
    const streamId = audio.streamType === STREAM_TYPE_OPUS ? STREAM_ID_PRIVATE_1 : STREAM_ID_AUDIO;
    return this.writePes(PID_AUDIO, streamId, es, length, pes.pts90k, undefined, false);
  }

  private writePes(
    pid: number, streamId: number, es: Buffer[], esLength: number, pts: number, dts: number | undefined, keyframe: boolean,
  ): Buffer {
    const header = Buffer.alloc(pesHeaderSize(dts !== undefined));
    writePesHeader(header, 0, streamId, esLength, pts, dts);
    const pcr90k = pid === this.pcrPid ? this.takePcr(dts ?? pts, keyframe) : undefined;
    const opts = { pid, pcr90k, randomAccess: keyframe };
    const length = header.length + esLength;
    const out = Buffer.allocUnsafe(packetCount(length, opts) * TS_PACKET_SIZE);
    this.cc.set(pid, packetize(out, 0, new ChunkCursor([header, ...es]), length, opts, this.nextCc(pid)));
    return out;
  }

  /** PCR = DTS of the access unit it precedes: the T-STD sees each unit arrive just in time. */
  private takePcr(dts: number, keyframe: boolean): number | undefined {
    const now = wrap33(dts);
    const elapsed = this.lastPcr === undefined ? Infinity : (now - this.lastPcr + TIMESTAMP_WRAP) % TIMESTAMP_WRAP;
    if (!keyframe && elapsed < PCR_INTERVAL_90K) return undefined;
    this.lastPcr = now;
    return now;
  }

  private nextCc(pid: number): number {
    return this.cc.get(pid) ?? 0;
  }
}

const STREAM_TYPE_OPUS = 0x06;

/**
 * Opus (stream_type 0x06): registration descriptor 'Opus' (§2.6.8) and the extension descriptor (tag 0x7F)
 * carrying the Opus audio descriptor (extension tag 0x80) with channel_config_code = channels, 1..8.
 */
function audioDescriptors(audio: NonNullable<TsMuxerOptions['audio']>): Buffer | undefined {
  if (audio.streamType !== STREAM_TYPE_OPUS) return undefined;
  const channels = audio.opusChannels ?? 2;
  if (!Number.isInteger(channels) || channels < 1 || channels > 8) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `Opus in MPEG-TS with ${channels} channels`);
  return Buffer.from([0x05, 4, ...Buffer.from('Opus', 'latin1'), 0x7f, 2, 0x80, channels]);
}

/** True when the access unit already begins with an AUD NAL unit. */
function hasAud(au: Buffer, streamType: TsVideoStreamType): boolean {
  let i = 0;
  while (i < au.length && i < 4 && au[i] === 0) i++;
  if (i < 2 || au[i] !== 1 || i + 1 >= au.length) return false;
  const nal = au[i + 1]!;
  return streamType === 0x24 ? ((nal >> 1) & 0x3f) === 35 : (nal & 0x1f) === 9;
}
