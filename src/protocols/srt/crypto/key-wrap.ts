import { createCipheriv, createDecipheriv, pbkdf2, pbkdf2Sync } from 'node:crypto';
import { OnAirError } from '../../../core/errors.js';

/**
 * The key-encrypting key and the key wrap of SRT encryption (haicrypt; draft-sharabayko-srt 6.1):
 * KEK = PBKDF2-HMAC-SHA1(passphrase, last 8 bytes of the salt, 2048 iterations, key length), and the
 * stream keys are wrapped with AES key wrap (RFC 3394, OpenSSL's id-aesNNN-wrap).
 */

const PBKDF2_ITERATIONS = 2048;
const PBKDF2_SALT_LENGTH = 8;
const RFC3394_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

function pbkdf2Salt(salt: Buffer): Buffer {
  return salt.subarray(Math.max(0, salt.length - PBKDF2_SALT_LENGTH));
}

export function deriveKek(passphrase: string, salt: Buffer, keyLength: number): Buffer {
  return pbkdf2Sync(passphrase, pbkdf2Salt(salt), PBKDF2_ITERATIONS, keyLength, 'sha1');
}

/** The same off the event loop (libuv's thread pool): handshakes derive a KEK per connection. */
export function deriveKekAsync(passphrase: string, salt: Buffer, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(passphrase, pbkdf2Salt(salt), PBKDF2_ITERATIONS, keyLength, 'sha1', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function wrapCipher(kek: Buffer): string {
  if (kek.length !== 16 && kek.length !== 24 && kek.length !== 32) {
    throw new OnAirError('ONAIR_ERR_LIMIT', `key-encrypting key of ${kek.length} bytes`);
  }
  return `id-aes${kek.length * 8}-wrap`;
}

/** Wraps `keys` (one or two stream keys, a multiple of 8 bytes) under `kek`: 8 bytes longer than the input. */
export function wrapKeys(kek: Buffer, keys: Buffer): Buffer {
  const c = createCipheriv(wrapCipher(kek), kek, RFC3394_IV);
  return Buffer.concat([c.update(keys), c.final()]);
}

/** Unwraps; null when the integrity check fails (a wrong passphrase), never a garbage key. */
export function unwrapKeys(kek: Buffer, wrapped: Buffer): Buffer | null {
  try {
    const d = createDecipheriv(wrapCipher(kek), kek, RFC3394_IV);
    return Buffer.concat([d.update(wrapped), d.final()]);
  } catch (err) {
    if (err instanceof OnAirError) throw err;
    return null;
  }
}
