/** RFC 6381 / ISO/IEC 14496-15 Annex E: 'avc1.' + profile, compatibility, level as two hex digits each. */
export function h264CodecString(c: { readonly profile: number; readonly compatibility: number; readonly level: number }): string {
  const hex = (v: number): string => (v & 0xff).toString(16).padStart(2, '0');
  return `avc1.${hex(c.profile)}${hex(c.compatibility)}${hex(c.level)}`;
}
