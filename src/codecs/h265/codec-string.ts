/**
 * RFC 6381 string for HEVC per ISO/IEC 14496-15 Annex E.3: hvc1.[A-C]profile.compat.Ltier+level.constraints,
 * e.g. 'hvc1.1.6.L93.B0'. The compatibility flags are written bit-reversed in hex; constraint bytes in hex
 * with trailing zero bytes dropped.
 */
export function hevcCodecString(
  c: {
    readonly profileSpace: number;
    readonly tierFlag: number;
    readonly profileIdc: number;
    readonly profileCompatibilityFlags: number;
    readonly constraintIndicatorFlags: Uint8Array;
    readonly levelIdc: number;
  },
  sampleEntry: 'hvc1' | 'hev1' = 'hvc1',
): string {
  const space = c.profileSpace === 0 ? '' : String.fromCharCode(0x40 + c.profileSpace); // 1 -> 'A'
  let reversed = 0;
  for (let i = 0; i < 32; i++) {
    if ((c.profileCompatibilityFlags >>> i) & 1) reversed |= 1 << (31 - i);
  }
  const constraints = Array.from(c.constraintIndicatorFlags);
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const parts = [
    sampleEntry,
    `${space}${c.profileIdc}`,
    (reversed >>> 0).toString(16).toUpperCase(),
    `${c.tierFlag ? 'H' : 'L'}${c.levelIdc}`,
    ...constraints.map((b) => b.toString(16).toUpperCase()),
  ];
  return parts.join('.');
}
