/**
 * H.264 / H.265 RBSP extraction (ITU-T H.264 7.4.1, H.265 7.4.2): inside a NAL unit the encoder inserts
 * 0x03 after every 0x00 0x00 that would otherwise be followed by 0x00..0x03. Parsers of the SPS bit
 * syntax must read the RBSP, with those bytes removed.
 */
export function removeEmulationPrevention(nal: Uint8Array): Buffer {
  // Fast path: most parameter sets contain no 00 00 03 at all; return a view, no copy.
  let first = -1;
  for (let i = 2; i < nal.length; i++) {
    if (nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) {
      first = i;
      break;
    }
  }
  const asBuffer = Buffer.from(nal.buffer, nal.byteOffset, nal.length);
  if (first < 0) return asBuffer;

  const out = Buffer.allocUnsafe(nal.length);
  asBuffer.copy(out, 0, 0, first);
  let o = first;
  let zeros = 0;
  for (let i = first + 1; i < nal.length; i++) {
    const b = nal[i]!;
    if (b === 3 && zeros >= 2) {
      zeros = 0;
      continue;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, o);
}
