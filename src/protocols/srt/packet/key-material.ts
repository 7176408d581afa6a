import { OnAirError } from '../../../core/errors.js';

/** KM states (libsrt SRT_KM_STATE), sent alone as a one-word KMRSP when key exchange failed. */
export const KmState = { unsecured: 0, securing: 1, secured: 2, noSecret: 3, badSecret: 4, badCryptoMode: 5 } as const;

/** Which stream keys a KM message carries (the KK bits): even, odd or both. */
export type KeyFlags = 1 | 2 | 3;

export const KM_SIGNATURE = 0x2029; // 'HAI' as a PnP vendor id (haicrypt HCRYPT_MSG_SIGN)
const KM_VERSION = 1;
const KM_PACKET_TYPE = 2;
export const CIPHER_AES_CTR = 2;
const CIPHER_AES_GCM = 4;
/** MPEG-TS over SRT (haicrypt HCRYPT_SE_TSSRT). */
const SE_TSSRT = 2;
const SALT_LENGTH = 16;
/** RFC 3394 adds one 8-byte integrity block to what it wraps. */
export const WRAP_OVERHEAD = 8;

export interface KeyMaterialMessage {
  readonly keyFlags: KeyFlags;
  readonly cipher: number;
  readonly salt: Buffer;
  /** Length of one stream key: 16, 24 or 32 bytes (AES-128/192/256). */
  readonly keyLength: 16 | 24 | 32;
  /** The wrapped key(s): even first when both are present; keyLength x count + 8 bytes. */
  readonly wrap: Buffer;
}

/**
 * Decodes a KMREQ/KMRSP body (haicrypt KMmsg, already in network order). Refuses what libsrt refuses:
 * wrong version, type or signature, no key, a KEK index other than 0, a salt other than 128 bits; AES-GCM
 * (libsrt 1.5.2+) is UNSUPPORTED here, so the caller can answer with the right KM state.
 */
export function decodeKeyMaterial(body: Buffer): KeyMaterialMessage {
  if (body.length < 16) throw new OnAirError('ONAIR_ERR_TRUNCATED', `key material of ${body.length} bytes, need 16`);
  if (body[0]! >> 4 !== KM_VERSION || (body[0]! & 0x0f) !== KM_PACKET_TYPE) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', 'key material: not a version 1 keying material message');
  }
  if (body.readUInt16BE(1) !== KM_SIGNATURE) throw new OnAirError('ONAIR_ERR_MALFORMED', 'key material: bad signature');
  const keyFlags = body[3]! & 3;
  if (keyFlags === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'key material carries no key');
  if (body.readUInt32BE(4) !== 0) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', 'key material: KEK index other than 0');
  const cipher = body[8]!;
  if (cipher === CIPHER_AES_GCM) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', 'key material: AES-GCM is not supported');
  if (cipher !== CIPHER_AES_CTR) throw new OnAirError('ONAIR_ERR_MALFORMED', `key material: cipher ${cipher}`);
  if (body[10] !== SE_TSSRT && body[10] !== 0) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `key material: stream encapsulation ${body[10]}`);
  const saltLength = body[14]! * 4;
  const keyLength = body[15]! * 4;
  if (saltLength !== SALT_LENGTH) throw new OnAirError('ONAIR_ERR_MALFORMED', `key material: salt of ${saltLength} bytes`);
  if (keyLength !== 16 && keyLength !== 24 && keyLength !== 32) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `key material: key of ${keyLength} bytes`);
  }
  const wrapLength = (keyFlags === 3 ? 2 : 1) * keyLength + WRAP_OVERHEAD;
  if (body.length < 16 + saltLength + wrapLength) {
    throw new OnAirError('ONAIR_ERR_TRUNCATED', `key material of ${body.length} bytes, need ${16 + saltLength + wrapLength}`);
  }
  return {
    keyFlags: keyFlags as KeyFlags, cipher, keyLength,
    salt: body.subarray(16, 16 + saltLength),
    wrap: body.subarray(16 + saltLength, 16 + saltLength + wrapLength),
  };
}

export function encodeKeyMaterial(m: KeyMaterialMessage): Buffer {
  const out = Buffer.alloc(16 + m.salt.length + m.wrap.length);
  out[0] = (KM_VERSION << 4) | KM_PACKET_TYPE;
  out.writeUInt16BE(KM_SIGNATURE, 1);
  out[3] = m.keyFlags;
  out[8] = m.cipher;
  out[10] = SE_TSSRT;
  out[14] = m.salt.length / 4;
  out[15] = m.keyLength / 4;
  m.salt.copy(out, 16);
  m.wrap.copy(out, 16 + m.salt.length);
  return out;
}

/**
 * A one-word KM state. libsrt writes it in host order and swaps it twice on the way out, so on the wire
 * it is little-endian (gosrt reads it the same way); we do what the peers do.
 */
export function encodeKmState(state: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(state, 0);
  return out;
}

export function decodeKmState(body: Buffer): number {
  if (body.length !== 4) throw new OnAirError('ONAIR_ERR_MALFORMED', `KM state of ${body.length} bytes`);
  return body.readUInt32LE(0);
}
