import { OnAirError, isOnAirError } from '../../core/errors.js';
import { buildAvcDecoderConfig, splitAnnexBNalus } from '../../codecs/index.js';
import { buildHevcDecoderConfig } from '../../codecs/h265/build-hevc-config.js';
import type { ElementaryPes, EsOutput, EsReader } from './es-reader.js';

/** What differs between H.264 and H.265 for turning Annex-B access units into AVCC frames and a config. */
interface NalRules {
  readonly nalType: (firstByte: number) => number;
  /** Parameter set NAL types in config order: H.264 SPS, PPS; H.265 VPS, SPS, PPS. */
  readonly parameterSets: readonly number[];
  readonly aud: number;
  readonly isKeyframe: (type: number) => boolean;
  readonly buildConfig: (sets: readonly (readonly Buffer[])[]) => Buffer;
}

/** H.264 (ITU-T H.264 Table 7-1): SPS 7, PPS 8, AUD 9; a keyframe holds an IDR slice (5). */
export const H264_RULES: NalRules = {
  nalType: (b) => b & 0x1f,
  parameterSets: [7, 8],
  aud: 9,
  isKeyframe: (t) => t === 5,
  buildConfig: ([sps, pps]) => buildAvcDecoderConfig(sps!, pps!),
};

/** H.265 (ITU-T H.265 Table 7-1): VPS 32, SPS 33, PPS 34, AUD 35; IRAP pictures (16..23) are keyframes. */
export const H265_RULES: NalRules = {
  nalType: (b) => (b >> 1) & 0x3f,
  parameterSets: [32, 33, 34],
  aud: 35,
  isKeyframe: (t) => t >= 16 && t <= 23,
  buildConfig: ([vps, sps, pps]) => buildHevcDecoderConfig(vps!, sps!, pps!),
};

/**
 * H.264 / H.265 in MPEG-TS (ISO/IEC 13818-1 §2.14, Annex B byte stream): each PES is one access unit (as
 * ffmpeg, OBS, GStreamer and hardware encoders write it; data_alignment). Parameter sets found in band
 * become the decoder config (emitted when they change) and are taken out of the frame with the AUD, as the
 * RTMP path carries them: AVCC frames with 4-byte lengths. Frames before the first complete parameter
 * sets cannot be decoded by anyone and are dropped (counted).
 */
export class VideoEsReader implements EsReader {
  private sets: Buffer[][];
  private config: Buffer | undefined;
  /** Access units dropped because no decoder config was known yet. */
  framesBeforeConfig = 0;

  constructor(private readonly rules: NalRules) {
    this.sets = rules.parameterSets.map(() => []);
  }

  push(pes: ElementaryPes, out: EsOutput): void {
    if (pes.pts === undefined) {
      out.error(new OnAirError('ONAIR_ERR_MALFORMED', 'video PES without a PTS'));
      return;
    }
    let nalus: Buffer[];
    try {
      nalus = splitAnnexBNalus(pes.data);
    } catch (err) {
      if (!isOnAirError(err)) throw err;
      out.error(err);
      return;
    }
    const r = this.rules;
    const found: Buffer[][] = r.parameterSets.map(() => []);
    let keep = 0;
    let bytes = 0;
    let keyframe = false;
    for (let i = 0; i < nalus.length; i++) {
      const nal = nalus[i]!;
      const type = r.nalType(nal[0]!);
      const set = r.parameterSets.indexOf(type);
      if (set >= 0) found[set]!.push(nal);
      else if (type !== r.aud) {
        nalus[keep++] = nal;
        bytes += 4 + nal.length;
        if (r.isKeyframe(type)) keyframe = true;
      }
    }
    if (found.some((s) => s.length > 0)) this.updateConfig(found, out);
    if (keep === 0) return;
    if (!this.config) {
      this.framesBeforeConfig++;
      return;
    }
    const avcc = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (let i = 0; i < keep; i++) {
      const nal = nalus[i]!;
      avcc.writeUInt32BE(nal.length, at);
      nal.copy(avcc, at + 4);
      at += 4 + nal.length;
    }
    out.frame(pes.dts ?? pes.pts, pes.pts, keyframe, avcc);
  }

  /** Parameter sets seen in this access unit replace the kinds they belong to; a changed config is emitted. */
  private updateConfig(found: readonly Buffer[][], out: EsOutput): void {
    const next = this.sets.map((old, k) => (found[k]!.length > 0 && !sameBuffers(old, found[k]!) ? found[k]!.map((n) => Buffer.from(n)) : old));
    if (next.every((s, k) => s === this.sets[k])) return;
    this.sets = next;
    if (next.some((s) => s.length === 0)) return; // not all kinds seen yet
    try {
      const config = this.rules.buildConfig(next);
      if (!this.config?.equals(config)) {
        this.config = config;
        out.config(config);
      }
    } catch (err) {
      if (!isOnAirError(err)) throw err;
      out.error(err);
    }
  }
}

function sameBuffers(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]!));
}
