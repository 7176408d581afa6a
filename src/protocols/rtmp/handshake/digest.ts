import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The Flash "complex" handshake digest (not in the RTMP spec; documented by rtmpdump's handshake.h,
 * ffmpeg's rtmpproto.c and nginx-rtmp's ngx_rtmp_handshake.c).
 */

/** C1, S1, C2 and S2 are each 1536 bytes (spec 5.2.3). */
export const HANDSHAKE_PACKET_SIZE = 1536;
export const DIGEST_LENGTH = 32;

/** The 32 bytes every implementation appends to both keys to form the "full" keys. */
const KEY_TAIL = Buffer.from([
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
  0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
]);

/** Client ("Flash Player") key: 30-byte partial key signs C1, the 62-byte full key derives C2's. */
export const FP_KEY = Buffer.concat([Buffer.from('Genuine Adobe Flash Player 001', 'latin1'), KEY_TAIL]);
export const FP_PARTIAL_KEY = FP_KEY.subarray(0, 30);
/** Server ("Flash Media Server") key: 36-byte partial key signs S1, the 68-byte full key derives S2's. */
export const FMS_KEY = Buffer.concat([Buffer.from('Genuine Adobe Flash Media Server 001', 'latin1'), KEY_TAIL]);
export const FMS_PARTIAL_KEY = FMS_KEY.subarray(0, 36);

/**
 * Scheme 0 keeps the digest offset in bytes 8..11 (ffmpeg's C1, "offset 8"); scheme 1 in bytes
 * 772..775 ("offset 772"). Clients use either, so a server tries both.
 */
export type DigestScheme = 0 | 1;

/** Where the 32-byte digest sits in a 1536-byte packet: (sum of the 4 offset bytes) % 728 + base + 4. */
export function digestOffset(packet: Buffer, scheme: DigestScheme): number {
  const base = scheme === 0 ? 8 : 772;
  const sum = packet[base]! + packet[base + 1]! + packet[base + 2]! + packet[base + 3]!;
  return (sum % 728) + base + 4;
}

/** HMAC-SHA256 of the packet without its 32 digest bytes. */
export function computeDigest(packet: Buffer, offset: number, key: Buffer): Buffer {
  return createHmac('sha256', key)
    .update(packet.subarray(0, offset))
    .update(packet.subarray(offset + DIGEST_LENGTH))
    .digest();
}

export interface FoundDigest {
  scheme: DigestScheme;
  digest: Buffer;
}

/** Looks for a valid digest in either scheme; null for a plain (spec) handshake packet. */
export function findDigest(packet: Buffer, key: Buffer): FoundDigest | null {
  for (const scheme of [0, 1] as const) {
    const offset = digestOffset(packet, scheme);
    const expected = computeDigest(packet, offset, key);
    const actual = packet.subarray(offset, offset + DIGEST_LENGTH);
    if (timingSafeEqual(expected, actual)) return { scheme, digest: Buffer.from(actual) };
  }
  return null;
}

/** Writes the digest for `scheme` into `packet` (whose other bytes are final) and returns it. */
export function imprintDigest(packet: Buffer, scheme: DigestScheme, key: Buffer): Buffer {
  const offset = digestOffset(packet, scheme);
  const digest = computeDigest(packet, offset, key);
  digest.copy(packet, offset);
  return digest;
}

/**
 * The S2/C2 signature of the complex handshake: the last 32 bytes of the packet are
 * HMAC(packet[0..1504], HMAC(peer's digest, our full key)).
 */
export function responseSignature(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): Buffer {
  const key = createHmac('sha256', fullKey).update(peerDigest).digest();
  return createHmac('sha256', key).update(packet.subarray(0, HANDSHAKE_PACKET_SIZE - DIGEST_LENGTH)).digest();
}

/** Fills the last 32 bytes of a response packet (S2 or C2) with its signature. */
export function signResponse(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): void {
  responseSignature(packet, peerDigest, fullKey).copy(packet, HANDSHAKE_PACKET_SIZE - DIGEST_LENGTH);
}

/** True when a received S2/C2 carries the signature derived from `ourDigest`. */
export function verifyResponse(packet: Buffer, ourDigest: Buffer, fullKey: Buffer): boolean {
  const expected = responseSignature(packet, ourDigest, fullKey);
  return timingSafeEqual(expected, packet.subarray(HANDSHAKE_PACKET_SIZE - DIGEST_LENGTH));
}
