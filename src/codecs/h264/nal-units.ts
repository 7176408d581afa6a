import { forEachNalu, joinAnnexBNalus, joinAvccNalus, splitAnnexBNalus } from '../nal-units.js';

/** H.264 nal_unit_type values used here (ITU-T H.264 Table 7-1). */
export const H264_NAL_IDR = 5;
export const H264_NAL_SPS = 7;
export const H264_NAL_PPS = 8;
export const H264_NAL_AUD = 9;

export function h264NalType(nal: Buffer): number {
  return (nal[0] ?? 0) & 0x1f;
}

/** True when the length-prefixed access unit holds an IDR slice. Throws MALFORMED on lying lengths. */
export function isH264Keyframe(payload: Buffer, lengthSize: number): boolean {
  let idr = false;
  forEachNalu(payload, lengthSize, (n) => {
    if (h264NalType(n) === H264_NAL_IDR) idr = true;
  });
  return idr;
}

/**
 * Length-prefixed access unit -> Annex-B (for MPEG-TS). With `paramSets`, SPS and PPS are put first
 * unless the access unit already carries an SPS in-band, as ffmpeg's h264_mp4toannexb does: MPEG-TS
 * has no out-of-band config, so each keyframe must bring its own.
 */
export function avccToAnnexB(
  payload: Buffer,
  lengthSize: number,
  paramSets?: { readonly sps: readonly Buffer[]; readonly pps: readonly Buffer[] },
): Buffer {
  const nalus: Buffer[] = [];
  let hasSps = false;
  forEachNalu(payload, lengthSize, (n) => {
    if (h264NalType(n) === H264_NAL_SPS) hasSps = true;
    nalus.push(n);
  });
  if (paramSets && !hasSps) return joinAnnexBNalus([...paramSets.sps, ...paramSets.pps, ...nalus]);
  return joinAnnexBNalus(nalus);
}

/**
 * Annex-B access unit -> length-prefixed NAL units plus the parameter sets found in it, so a source
 * that sends Annex-B can be given an avcC (buildAvcDecoderConfig) and AVCC frames. SPS, PPS and AUD
 * are taken out of the frame: in AVCC they live in the config record.
 */
export function annexBToAvcc(
  annexB: Buffer,
  lengthSize: 1 | 2 | 4 = 4,
): { readonly avcc: Buffer; readonly sps: Buffer[]; readonly pps: Buffer[] } {
  const sps: Buffer[] = [];
  const pps: Buffer[] = [];
  const rest: Buffer[] = [];
  for (const n of splitAnnexBNalus(annexB)) {
    const t = h264NalType(n);
    if (t === H264_NAL_SPS) sps.push(n);
    else if (t === H264_NAL_PPS) pps.push(n);
    else if (t !== H264_NAL_AUD) rest.push(n);
  }
  return { avcc: joinAvccNalus(rest, lengthSize), sps, pps };
}
