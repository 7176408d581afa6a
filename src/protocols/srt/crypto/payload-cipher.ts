import { createCipheriv } from 'node:crypto';

/**
 * AES-CTR over one data packet's payload (haicrypt hcrypt_SetCtrIV): the 128-bit counter block is the
 * salt's first 112 bits XOR the packet sequence number at bytes 10..13, with the 16-bit block counter in
 * bytes 14..15 starting at 0. Encryption and decryption are the same operation.
 */
export function ctrTransform(key: Buffer, salt: Buffer, seq: number, data: Buffer): Buffer {
  const iv = Buffer.alloc(16);
  salt.copy(iv, 0, 0, 14);
  iv[10]! ^= (seq >>> 24) & 0xff;
  iv[11]! ^= (seq >>> 16) & 0xff;
  iv[12]! ^= (seq >>> 8) & 0xff;
  iv[13]! ^= seq & 0xff;
  const c = createCipheriv(`aes-${key.length * 8}-ctr`, key, iv);
  return Buffer.concat([c.update(data), c.final()]);
}
