import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodePacket, type ControlPacket, type DataPacket } from '../packet/packet.js';
import { decodeHandshake, ExtType } from '../packet/handshake.js';
import { CIPHER_AES_CTR, decodeKeyMaterial, KmState } from '../packet/key-material.js';
import { deriveKek, deriveKekAsync, unwrapKeys, wrapKeys } from './key-wrap.js';
import { ctrTransform } from './payload-cipher.js';
import { StreamCrypto } from './stream-crypto.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const testdata = (name: string) => readFileSync(join(import.meta.dirname, '../testdata', name));

test('AES key wrap: RFC 3394 vectors 4.1 (128/128) and 4.6 (256/256); a wrong KEK unwraps to null', () => {
  const kek128 = hex('000102030405060708090A0B0C0D0E0F');
  const w = wrapKeys(kek128, hex('00112233445566778899AABBCCDDEEFF'));
  assert.deepEqual(w, hex('1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5'));
  assert.deepEqual(unwrapKeys(kek128, w), hex('00112233445566778899AABBCCDDEEFF'));
  const kek256 = hex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
  const w256 = wrapKeys(kek256, hex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F'));
  assert.deepEqual(w256, hex('28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21'));
  assert.equal(unwrapKeys(Buffer.alloc(16), w), null);
});

test('KEK: PBKDF2-HMAC-SHA1 over the last 8 salt bytes, 2048 rounds (sync and async agree)', async () => {
  const salt = hex('00112233445566778899aabbccddeeff');
  const a = deriveKek('golden-passphrase', salt, 24);
  assert.equal(a.length, 24);
  assert.deepEqual(await deriveKekAsync('golden-passphrase', salt, 24), a);
  assert.deepEqual(deriveKek('golden-passphrase', Buffer.concat([Buffer.alloc(8, 9), salt.subarray(8)]), 24), a, 'only the last 8 bytes count');
});

test('libsrt AES-256: the captured KMREQ unwraps and the captured data packet decrypts to MPEG-TS', () => {
  const hs = decodeHandshake((decodePacket(testdata('ffmpeg-aes256-conclusion.bin')) as ControlPacket).cif);
  const km = decodeKeyMaterial(hs.extensions.find((e) => e.type === ExtType.kmReq)!.body);
  assert.equal(km.keyLength, 32);
  const crypto = StreamCrypto.fromCallerKeyMaterial('golden-passphrase', km, deriveKek('golden-passphrase', km.salt, 32))!;
  assert.ok(crypto);
  const data = decodePacket(testdata('ffmpeg-aes256-data.bin')) as DataPacket;
  assert.equal(data.keyFlag, 1);
  assert.notEqual(data.payload[0], 0x47, 'encrypted on the wire');
  const clear = crypto.decrypt(data.seq, data.keyFlag, data.payload)!;
  for (let i = 0; i < clear.length; i += 188) assert.equal(clear[i], 0x47, `TS sync byte at ${i}`);
  assert.equal(crypto.decrypt(data.seq, 2, data.payload), null, 'no odd key yet');
  assert.equal(StreamCrypto.fromCallerKeyMaterial('not-the-passphrase', km, deriveKek('not-the-passphrase', km.salt, 32)), null);
});

test('CTR counter: salt XOR sequence number at bytes 10..13, block counter from 0', () => {
  const key = randomBytes(16);
  const salt = randomBytes(16);
  const plain = randomBytes(1316);
  const enc = ctrTransform(key, salt, 0x7fffffff, plain);
  assert.deepEqual(ctrTransform(key, salt, 0x7fffffff, enc), plain, 'CTR is its own inverse');
  assert.notDeepEqual(ctrTransform(key, salt, 0x7ffffffe, enc), plain, 'the sequence number is in the counter');
});

test('key refresh: announce before the switch, switch, retire; a receiver following the KMREQs decrypts every packet', () => {
  const passphrase = 'refresh-passphrase';
  const salt = randomBytes(16);
  const kek = deriveKek(passphrase, salt, 16);
  const sek = randomBytes(16);
  const initial = { keyFlags: 1 as const, cipher: CIPHER_AES_CTR, salt, keyLength: 16 as const, wrap: wrapKeys(kek, sek) };
  const refresh = { refreshPackets: 50, preAnnouncePackets: 10 };
  const sender = StreamCrypto.fromCallerKeyMaterial(passphrase, initial, kek, refresh)!;
  const receiver = StreamCrypto.fromCallerKeyMaterial(passphrase, initial, kek)!;
  const announces: number[] = [];
  const flags = new Set<number>();
  for (let seq = 0; seq < 200; seq++) {
    const payload = randomBytes(188);
    const out = sender.encrypt(seq, payload);
    if (out.announce) {
      announces.push(seq);
      assert.equal(receiver.acceptKeyMaterial(out.announce), KmState.secured);
    }
    flags.add(out.keyFlag);
    assert.deepEqual(receiver.decrypt(seq, out.keyFlag, out.payload), payload, `packet ${seq}`);
  }
  assert.deepEqual([...flags].sort(), [1, 2], 'both keys were used');
  assert.ok(announces.length >= 4, `announce + retire per switch: ${announces}`);
});

test('a KMREQ with a wrong KEK is BADSECRET and leaves the keys alone', () => {
  const salt = randomBytes(16);
  const kek = deriveKek('right-passphrase', salt, 16);
  const km = { keyFlags: 1 as const, cipher: CIPHER_AES_CTR, salt, keyLength: 16 as const, wrap: wrapKeys(kek, randomBytes(16)) };
  const c = StreamCrypto.fromCallerKeyMaterial('right-passphrase', km, kek)!;
  const bad = { ...km, wrap: wrapKeys(deriveKek('wrong-passphrase', salt, 16), randomBytes(16)) };
  assert.equal(c.acceptKeyMaterial(bad), KmState.badSecret);
  const p = randomBytes(100);
  assert.deepEqual(c.decrypt(3, 1, c.encrypt(3, p).payload), p);
});
