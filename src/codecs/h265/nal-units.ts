import { forEachNalu } from '../nal-units.js';

export function h265NalType(nal: Buffer): number {
  return ((nal[0] ?? 0) >> 1) & 0x3f;
}

/** IRAP pictures (BLA, IDR, CRA: nal_unit_type 16..23, H.265 Table 7-1) are random-access points. */
export function isH265Keyframe(payload: Buffer, lengthSize: number): boolean {
  let irap = false;
  forEachNalu(payload, lengthSize, (n) => {
    const t = h265NalType(n);
    if (t >= 16 && t <= 23) irap = true;
  });
  return irap;
}
