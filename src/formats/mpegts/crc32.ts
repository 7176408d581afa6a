/** CRC-32/MPEG-2 of PSI sections (ISO/IEC 13818-1 Annex A): poly 0x04C11DB7, init 0xFFFFFFFF, MSB first,
 *  no reflection, no final XOR. A section including its CRC checks to 0. */
const TABLE = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 24;
  for (let k = 0; k < 8; k++) c = c & 0x8000_0000 ? (c << 1) ^ 0x04c1_1db7 : c << 1;
  TABLE[i] = c >>> 0;
}

export function crc32Mpeg2(data: Uint8Array): number {
  let crc = 0xffff_ffff;
  for (const b of data) crc = ((crc << 8) ^ TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc;
}
