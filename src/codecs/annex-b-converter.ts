import { OnAirError } from '../core/errors.js';
import { avccToAnnexB } from './h264/nal-units.js';
import { parseAvcDecoderConfig } from './h264/avc-decoder-config.js';
import { parseHevcDecoderConfig } from './h265/hevc-decoder-config.js';
import { forEachNalu, joinAnnexBNalus } from './nal-units.js';

/** Turns one AVCC access unit into Annex-B; keyframes get the parameter sets in front. */
export type AnnexBConverter = (data: Buffer, keyframe: boolean) => Buffer;

/**
 * The AVCC -> Annex-B converter for a track's config (avcC or hvcC), for containers without out-of-band
 * config (MPEG-TS): H.264 keyframes get SPS/PPS (unless already in band), H.265 keyframes VPS/SPS/PPS.
 * Throws OnAirError on a malformed config or another codec.
 */
export function annexBConverter(codec: string, config: Buffer): AnnexBConverter {
  if (codec === 'avc1') {
    const c = parseAvcDecoderConfig(config);
    return (data, keyframe) => avccToAnnexB(data, c.nalLengthSize, keyframe ? c : undefined);
  }
  if (codec === 'hvc1') {
    const c = parseHevcDecoderConfig(config);
    const paramSets = [...c.vps, ...c.sps, ...c.pps];
    return (data, keyframe) => {
      const nalus: Buffer[] = keyframe ? [...paramSets] : [];
      forEachNalu(data, c.nalLengthSize, (n) => nalus.push(n));
      return joinAnnexBNalus(nalus);
    };
  }
  throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `no Annex-B form for ${codec}`);
}
