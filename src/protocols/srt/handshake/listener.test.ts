import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePacket, encodeControl, ControlType, type ControlPacket } from '../packet/packet.js';
import { decodeHandshake, encodeHandshake, ExtType, HandshakeType, HsExtFlag, REJECTION_BASE, SRT_MAGIC_CODE, type HandshakeExtension } from '../packet/handshake.js';
import { decodeSrtHs, encodeExtString, encodeSrtHs, SrtFlag } from '../packet/srt-extensions.js';
import { decodeKeyMaterial, encodeKeyMaterial } from '../packet/key-material.js';
import { ListenerHandshake, type CookieJar } from './listener.js';
import { conclusionReply, negotiateLatency } from './listener-replies.js';
import { RejectReason } from './reject-reason.js';
import { SynCookies } from './syn-cookie.js';

const testdata = (name: string) => readFileSync(join(import.meta.dirname, '../testdata', name));
const peer = { address: '127.0.0.1', port: 40000 };
/** The cookie our capture listener gave ffmpeg. */
const fixedCookie: CookieJar = { make: () => 0xc00c1e, check: (c) => c === 0xc00c1e };
const listener = new ListenerHandshake({ listenerSocketId: 77, mss: 1500, flowWindow: 8192, cookies: fixedCookie });
const packet = (file: string) => decodePacket(testdata(file)) as ControlPacket;

test('induction: answered with v5, the SRT magic and a cookie, to the caller socket; nothing is kept', () => {
  const action = listener.handle(packet('ffmpeg-aes128-induction.bin'), peer, 0);
  assert.equal(action.kind, 'reply');
  if (action.kind !== 'reply') return;
  const reply = decodePacket(action.datagram) as ControlPacket;
  const req = decodeHandshake(packet('ffmpeg-aes128-induction.bin').cif);
  assert.equal(reply.dstSocketId, req.socketId);
  const hs = decodeHandshake(reply.cif);
  assert.deepEqual([hs.version, hs.extensionField, hs.handshakeType, hs.socketId, hs.cookie, hs.isn], [5, SRT_MAGIC_CODE, HandshakeType.induction, 77, 0xc00c1e, req.isn]);
  assert.deepEqual(Object.keys(listener), ['opts'], 'the listener holds its options and nothing per caller');
});

test('a captured libsrt conclusion with our cookie becomes a request with its stream id, keys and latency', () => {
  const action = listener.handle(packet('ffmpeg-aes128-conclusion.bin'), peer, 0);
  assert.equal(action.kind, 'conclusion');
  if (action.kind !== 'conclusion') return;
  const r = action.request;
  assert.equal(r.streamId, '#!::r=live/golden-key,m=publish');
  assert.equal(r.km?.keyLength, 16);
  assert.equal(r.hs.sndLatencyMs, 200);
  assert.equal(r.mss, 1500);
  assert.deepEqual(negotiateLatency(r, 120), { rcvMs: 200, sndMs: 200 });
  assert.deepEqual(negotiateLatency(r, 500), { rcvMs: 500, sndMs: 500 });
});

test('a conclusion with a forged cookie is ignored (no answer, nothing kept)', () => {
  const cookies = new SynCookies();
  const l = new ListenerHandshake({ listenerSocketId: 1, mss: 1500, flowWindow: 8192, cookies });
  const action = l.handle(packet('ffmpeg-aes128-conclusion.bin'), peer, Date.now());
  assert.equal(action.kind, 'ignore');
});

test('SYN cookies: bound to address, port and minute; valid into the next minute only', () => {
  const c = new SynCookies();
  const t = 1_700_000_000_000;
  const k = c.make('10.0.0.1', 5000, t);
  assert.ok(c.check(k, '10.0.0.1', 5000, t));
  assert.ok(c.check(k, '10.0.0.1', 5000, t + 60_000));
  assert.ok(!c.check(k, '10.0.0.1', 5000, t + 120_000));
  assert.ok(!c.check(k, '10.0.0.1', 5001, t));
  assert.ok(!c.check(k, '10.0.0.2', 5000, t));
  assert.ok(!new SynCookies().check(k, '10.0.0.1', 5000, t), 'another secret');
});

/** Rebuilds the captured conclusion with changed fields or extension blocks. */
function variant(change: { version?: number; flags?: number; extensions?: (e: HandshakeExtension[]) => HandshakeExtension[] }): ControlPacket {
  const p = packet('ffmpeg-aes128-conclusion.bin');
  const hs = decodeHandshake(p.cif);
  let exts = hs.extensions.map((e) => ({ ...e }));
  if (change.flags !== undefined) {
    const srt = decodeSrtHs(exts[0]!.body);
    exts[0] = { type: ExtType.hsReq, body: encodeSrtHs({ ...srt, flags: change.flags }) };
  }
  if (change.extensions) exts = change.extensions(exts);
  const cif = encodeHandshake({ ...hs, version: change.version ?? hs.version }, exts);
  return decodePacket(encodeControl({ type: ControlType.handshake, timestamp: p.timestamp, dstSocketId: 0 }, cif)) as ControlPacket;
}

test('conclusions OnAir does not take are refused with libsrt reason codes', () => {
  const cases: [string, ControlPacket, number][] = [
    ['HSv4', variant({ version: 4 }), RejectReason.version],
    ['file/stream mode', variant({ flags: SrtFlag.stream | SrtFlag.tsbpdSnd }), RejectReason.messageApi],
    ['FEC filter', variant({ extensions: (e) => [...e, { type: ExtType.filter, body: encodeExtString('fec,cols:10') }] }), RejectReason.filter],
    ['bonding group', variant({ extensions: (e) => [...e, { type: ExtType.group, body: Buffer.alloc(8) }] }), RejectReason.group],
    ['file congestion', variant({ extensions: (e) => [...e, { type: ExtType.congestion, body: encodeExtString('file') }] }), RejectReason.congestion],
    ['no HSREQ', variant({ extensions: (e) => e.slice(1) }), RejectReason.rogue],
    ['AES-GCM', variant({ extensions: (e) => e.map((x) => x.type === ExtType.kmReq ? { type: x.type, body: gcm(x.body) } : x) }), RejectReason.crypto],
    ['garbage KM', variant({ extensions: (e) => e.map((x) => x.type === ExtType.kmReq ? { type: x.type, body: Buffer.alloc(8) } : x) }), RejectReason.rogue],
  ];
  for (const [name, pkt, reason] of cases) {
    const action = listener.handle(pkt, peer, 0);
    assert.equal(action.kind, 'reject', name);
    if (action.kind !== 'reject') continue;
    assert.equal(action.reason, reason, name);
    const hs = decodeHandshake((decodePacket(action.datagram) as ControlPacket).cif);
    assert.equal(hs.handshakeType, REJECTION_BASE + reason, name);
  }
});

function gcm(body: Buffer): Buffer {
  const b = Buffer.from(body);
  b[8] = 4;
  return b;
}

test('garbage and other handshake types are ignored, never thrown', () => {
  const junk = decodePacket(encodeControl({ type: ControlType.handshake, timestamp: 0, dstSocketId: 0 }, Buffer.alloc(20))) as ControlPacket;
  assert.equal(listener.handle(junk, peer, 0).kind, 'ignore');
  const hs = decodeHandshake(packet('ffmpeg-aes128-induction.bin').cif);
  for (const t of [HandshakeType.waveahand, HandshakeType.agreement, REJECTION_BASE + 1403]) {
    const p = decodePacket(encodeControl({ type: ControlType.handshake, timestamp: 0, dstSocketId: 0 }, encodeHandshake({ ...hs, handshakeType: t }))) as ControlPacket;
    assert.equal(listener.handle(p, peer, 0).kind, 'ignore', `type ${t}`);
  }
});

test('the conclusion reply: our socket id, the caller ISN, HSRSP with effective latencies, KMRSP echo', () => {
  const action = listener.handle(packet('ffmpeg-aes128-conclusion.bin'), peer, 0);
  assert.equal(action.kind, 'conclusion');
  if (action.kind !== 'conclusion') return;
  const req = action.request;
  const datagram = conclusionReply(req, {
    socketId: 4242, mss: 1500, flowWindow: 8192, latency: negotiateLatency(req, 300), peerAddress: peer.address, kmResponse: req.kmBody, keyLength: 16,
  });
  const p = decodePacket(datagram) as ControlPacket;
  assert.equal(p.dstSocketId, req.callerSocketId);
  const hs = decodeHandshake(p.cif);
  assert.deepEqual([hs.version, hs.handshakeType, hs.socketId, hs.isn, hs.encryptionField], [5, HandshakeType.conclusion, 4242, req.isn, 2]);
  assert.equal(hs.extensionField, HsExtFlag.hsreq | HsExtFlag.kmreq);
  const rsp = decodeSrtHs(hs.extensions.find((e) => e.type === ExtType.hsRsp)!.body);
  assert.deepEqual([rsp.rcvLatencyMs, rsp.sndLatencyMs], [300, 300]);
  const km = hs.extensions.find((e) => e.type === ExtType.kmRsp)!.body;
  assert.deepEqual(encodeKeyMaterial(decodeKeyMaterial(km)), req.kmBody);
});
