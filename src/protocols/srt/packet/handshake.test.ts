import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isOnAirError } from '../../../core/errors.js';
import { decodePacket, type ControlPacket } from './packet.js';
import { decodeHandshake, encodeHandshake, encodePeerIp, ExtType, HandshakeType, HsExtFlag, UDT_DGRAM } from './handshake.js';
import { decodeExtString, decodeSrtHs, encodeExtString, encodeSrtHs, SrtFlag } from './srt-extensions.js';
import { decodeKeyMaterial, encodeKeyMaterial } from './key-material.js';
import { deriveKek, unwrapKeys } from '../crypto/key-wrap.js';
import { MAX_STREAM_ID_LENGTH } from '../limits.js';

/** Datagrams libsrt 1.5.1 sent (captured from ffmpeg and srt-live-transmit against a recording listener). */
const testdata = (name: string) => readFileSync(join(import.meta.dirname, '../testdata', name));

function handshakeOf(file: string) {
  const p = decodePacket(testdata(file)) as ControlPacket;
  assert.equal(p.isControl, true);
  assert.equal(p.type, 0);
  return { packet: p, hs: decodeHandshake(p.cif) };
}

test('libsrt induction: version 4, UDT_DGRAM, no cookie, addressed to socket 0', () => {
  const { packet, hs } = handshakeOf('ffmpeg-aes128-induction.bin');
  assert.equal(packet.dstSocketId, 0);
  assert.equal(hs.version, 4);
  assert.equal(hs.extensionField, UDT_DGRAM);
  assert.equal(hs.handshakeType, HandshakeType.induction);
  assert.equal(hs.cookie, 0);
  assert.equal(hs.mss, 1500);
  assert.deepEqual(hs.extensions, []);
});

test('libsrt conclusion (ffmpeg, AES-128, streamid, latency 200 ms): every block reads', () => {
  const { hs } = handshakeOf('ffmpeg-aes128-conclusion.bin');
  assert.equal(hs.version, 5);
  assert.equal(hs.handshakeType, HandshakeType.conclusion);
  assert.equal(hs.cookie, 0xc00c1e, 'our cookie echoed');
  assert.equal(hs.encryptionField, 2, 'PBKEYLEN 16 / 8');
  assert.equal(hs.extensionField, HsExtFlag.hsreq | HsExtFlag.kmreq | HsExtFlag.config);
  assert.deepEqual(hs.extensions.map((e) => e.type), [ExtType.hsReq, ExtType.sid, ExtType.kmReq]);
  const srt = decodeSrtHs(hs.extensions[0]!.body);
  assert.equal(srt.srtVersion, 0x010501);
  assert.equal(srt.rcvLatencyMs, 200);
  assert.equal(srt.sndLatencyMs, 200);
  assert.ok(srt.flags & SrtFlag.tsbpdSnd && srt.flags & SrtFlag.tlPktDrop && srt.flags & SrtFlag.nakReport);
  assert.equal(decodeExtString(hs.extensions[1]!.body), '#!::r=live/golden-key,m=publish');
  const km = decodeKeyMaterial(hs.extensions[2]!.body);
  assert.equal(km.keyLength, 16);
  assert.equal(km.keyFlags, 1);
  assert.deepEqual(encodeKeyMaterial(km), hs.extensions[2]!.body, 'KM re-encodes byte for byte');
  const sek = unwrapKeys(deriveKek('golden-passphrase', km.salt, 16), km.wrap);
  assert.equal(sek?.length, 16, 'the passphrase unwraps the stream key');
  assert.equal(unwrapKeys(deriveKek('another-passphrase', km.salt, 16), km.wrap), null, 'a wrong one does not');
});

test('libsrt conclusion (srt-live-transmit, plain stream id, no encryption)', () => {
  const { hs } = handshakeOf('slt-plain-conclusion.bin');
  assert.equal(hs.encryptionField, 0);
  assert.deepEqual(hs.extensions.map((e) => e.type), [ExtType.hsReq, ExtType.sid]);
  assert.equal(decodeExtString(hs.extensions[1]!.body), 'live/plain-key');
});

test('handshakes round-trip through encode, with extension blocks', () => {
  const fields = {
    version: 5, encryptionField: 4, extensionField: 7, isn: 0x7fffffff, mss: 1500, flowWindow: 8192,
    handshakeType: HandshakeType.conclusion, socketId: 0xffffffff, cookie: 0xffffffff, peerIp: encodePeerIp('10.1.2.3'),
  };
  const exts = [{ type: ExtType.hsReq, body: encodeSrtHs({ srtVersion: 0x010501, flags: 0xbf, rcvLatencyMs: 0xffff, sndLatencyMs: 20 }) },
    { type: ExtType.sid, body: encodeExtString('#!::r=live/x,m=request') }];
  const bytes = encodeHandshake(fields, exts);
  const back = decodeHandshake(bytes);
  assert.deepEqual({ ...back, extensions: undefined }, { ...fields, extensions: undefined });
  assert.deepEqual(back.extensions.map((e) => [e.type, e.body]), exts.map((e) => [e.type, e.body]));
  assert.equal(decodeSrtHs(back.extensions[0]!.body).rcvLatencyMs, 0xffff);
});

test('peer ip words are byte-reversed as libsrt writes them', () => {
  assert.equal(encodePeerIp('127.0.0.1').toString('hex'), '0100007f' + '0'.repeat(24));
  assert.equal(encodePeerIp('::ffff:10.0.0.2').toString('hex'), '0200000a' + '0'.repeat(24));
  assert.equal(encodePeerIp('::1').toString('hex'), '0'.repeat(24) + '01000000');
});

test('stream id strings: padding, word reversal, UTF-8, 512-byte cap', () => {
  for (const s of ['', 'a', 'abcd', 'abcde', '#!::r=live/ключ,m=publish', 'x'.repeat(MAX_STREAM_ID_LENGTH)]) {
    assert.equal(decodeExtString(encodeExtString(s)), s);
  }
  assert.deepEqual(encodeExtString('abcde'), Buffer.from('dcba\0\0\0e', 'latin1'));
  assert.throws(() => encodeExtString('x'.repeat(MAX_STREAM_ID_LENGTH + 1)), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  assert.throws(() => decodeExtString(Buffer.alloc(MAX_STREAM_ID_LENGTH + 4)), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
});

test('hostile handshakes: truncated at every length, lying extension sizes, too many blocks', () => {
  const good = testdata('ffmpeg-aes128-conclusion.bin').subarray(16);
  for (let n = 0; n < good.length; n++) {
    try {
      decodeHandshake(good.subarray(0, n));
    } catch (err) {
      assert.ok(isOnAirError(err), `length ${n}: ${String(err)}`);
    }
  }
  const lying = Buffer.from(good);
  lying.writeUInt16BE(0xffff, 48 + 2); // HSREQ claims 65535 words
  assert.throws(() => decodeHandshake(lying), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  const many = encodeHandshake({ ...decodeHandshake(good), peerIp: undefined }, Array.from({ length: 17 }, () => ({ type: 99, body: Buffer.alloc(0) })));
  assert.throws(() => decodeHandshake(many), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  const isn = Buffer.from(good);
  isn.writeUInt32BE(0x80000000, 8);
  assert.throws(() => decodeHandshake(isn), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('fuzz: any handshake body decodes or throws a typed error', () => {
  const seed = new Uint8Array(testdata('ffmpeg-aes128-conclusion.bin').subarray(16));
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constant(seed).chain((s) => fc.tuple(fc.nat(s.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
    const m = Uint8Array.from(s);
    m[i] = v;
    return m;
  }))), (raw) => {
    try {
      const hs = decodeHandshake(Buffer.from(raw));
      for (const e of hs.extensions) if (e.type === ExtType.kmReq) decodeKeyMaterial(e.body);
    } catch (err) {
      assert.ok(isOnAirError(err), String(err));
    }
  }), { numRuns: 3000 });
});
