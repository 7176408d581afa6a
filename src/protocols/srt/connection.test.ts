import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { VirtualLink } from './testing/virtual-link.js';
import { SEQ_MAX } from './limits.js';
import { StreamCrypto } from './crypto/stream-crypto.js';
import { deriveKek, wrapKeys } from './crypto/key-wrap.js';
import { CIPHER_AES_CTR } from './packet/key-material.js';

/**
 * Sends payloads numbered from 0, one per `everyMs`, for `count + tailMs` worth, and returns the numbers
 * below `count` that were delivered. The stream goes on past `count` as a live stream does: in live mode
 * (libsrt too) a lost last packet is only found when a later one arrives.
 */
function stream(link: VirtualLink, count: number, everyMs = 1, tailMs = 2000): number[] {
  let sent = 0;
  link.run(count * everyMs + tailMs, (now) => {
    if ((now / 1000) % everyMs === 0) link.sender.write(VirtualLink.payload(sent++, 1316), now);
  });
  return link.delivered.map((p) => p.readUInt32BE(0)).filter((n) => n < count);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('a clean link delivers every payload in order, about one latency after it was sent', () => {
  const link = new VirtualLink({ delayUs: 10_000 });
  const sentAt: number[] = [];
  const deliveredAt: number[] = [];
  let n = 0;
  link.run(1500, (now) => {
    if (n < 1000) {
      sentAt.push(now);
      link.sender.write(VirtualLink.payload(n++), now);
    }
    while (deliveredAt.length < link.delivered.length) deliveredAt.push(now);
  });
  assert.deepEqual(link.delivered.map((p) => p.readUInt32BE(0)), range(1000));
  // TSBPD: delivered at send time + one-way delay at the handshake + latency (120 ms), within the 5 ms tick.
  for (let i = 0; i < 1000; i += 97) {
    const lag = (deliveredAt[i]! - sentAt[i]!) / 1000;
    assert.ok(lag >= 129 && lag <= 136, `packet ${i} delivered after ${lag} ms (latency + one-way delay)`);
  }
  const s = link.receiver.stats(link.now);
  assert.equal(s.receive!.lost, 0);
  assert.ok(Math.abs(s.rttMs - 20) < 3, `RTT ${s.rttMs} ms from ACKACK`);
  assert.ok(s.receive!.acksSent > 50);
});

test('10 % loss each way with reordering: everything arrives, by retransmission, within the latency', () => {
  const link = new VirtualLink({ loss: 0.1, delayUs: 20_000, jitterUs: 1_500, latencyMs: 250, seed: 11 });
  assert.deepEqual(stream(link, 3000), range(3000));
  const r = link.receiver.stats(link.now).receive!;
  const s = link.sender.stats(link.now).send!;
  assert.ok(r.lost > 200, `lost ${r.lost}`);
  assert.ok(s.retransmitted >= r.recovered && r.recovered > 0, `retransmitted ${s.retransmitted}, recovered ${r.recovered}`);
  assert.equal(r.dropped, 0);
  assert.ok(r.lossRate > 0.05 && r.lossRate < 0.2, `loss rate ${r.lossRate}`);
});

test('sequence numbers wrap at 2^31 without a hiccup', () => {
  const link = new VirtualLink({ isn: SEQ_MAX - 500, loss: 0.05, seed: 3, latencyMs: 250 });
  assert.deepEqual(stream(link, 1500), range(1500));
});

test('too-late drop: a gap whose retransmissions never arrive is given up after the latency and counted', () => {
  // Drop originals 100..109 and every retransmission of them.
  const doomed = (d: Buffer) => {
    if (d[0]! & 0x80) return false;
    const n = d.readUInt32BE(16);
    return n >= 100 && n < 110;
  };
  const link = new VirtualLink({ drop: (d, toReceiver) => toReceiver && doomed(d) });
  const got = stream(link, 500);
  assert.deepEqual(got, range(500).filter((n) => n < 100 || n >= 110));
  const r = link.receiver.stats(link.now).receive!;
  assert.equal(r.dropped, 10);
  assert.ok(r.naksSent > 1, 'periodic NAKs kept asking');
});

test('the sender drops what the receiver could no longer use, and answers NAKs for it with a drop request', () => {
  // The receiver hears nothing for 1.5 s (sender -> receiver cut), then the link heals.
  const link = new VirtualLink({ latencyMs: 120, drop: (_d, toReceiver, now) => toReceiver && now > 200_000 && now < 1_700_000 });
  const got = stream(link, 3000, 1, 3000);
  const s = link.sender.stats(link.now).send!;
  assert.ok(s.dropped > 0, 'sender too-late drop');
  assert.ok(s.dropRequestsSent > 0, 'NAKs for dropped packets answered with a drop request');
  assert.ok(got.length < 3000 && got.length > 1000);
  for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, 'still in order');
  assert.equal(got[got.length - 1], 2999, 'the stream recovers');
});

test('flow window: bursts larger than the receive buffer wait for room instead of overrunning it', () => {
  // 80-packet bursts share one timestamp, so all of a burst waits for its play time in a 64-slot buffer.
  const link = new VirtualLink({ receiveBufferPackets: 64, peerFlowWindow: 64, delayUs: 5_000, latencyMs: 20 });
  let n = 0;
  link.run(3000, (now) => {
    if (n < 800 && (now / 1000) % 200 === 0) for (let k = 0; k < 80; k++) link.sender.write(VirtualLink.payload(n++), now);
  });
  assert.deepEqual(link.delivered.map((p) => p.readUInt32BE(0)), range(800));
  const r = link.receiver.stats(link.now).receive!;
  assert.deepEqual([r.dropped, r.belated, r.duplicates], [0, 0, 0]);
});

test('keepalive holds an idle connection; silence closes it after the peer idle timeout', () => {
  const link = new VirtualLink();
  link.run(10_000);
  assert.deepEqual(link.closed, [], 'keepalives flow both ways');
  const cut = new VirtualLink({ drop: (_d, _to, now) => now > 1_000_000 });
  cut.run(7_000);
  assert.deepEqual(cut.closed.map((c) => [c.side, c.reason, c.byPeer]).sort(), [['receiver', 'peer idle timeout', true], ['sender', 'peer idle timeout', true]]);
});

test('shutdown: the receiver hands on what it holds and closes; close is idempotent', () => {
  const link = new VirtualLink();
  let n = 0;
  link.run(300, (now) => {
    if (n < 250) link.sender.write(VirtualLink.payload(n++), now);
  });
  link.sender.close('done');
  link.sender.close('again');
  link.run(100);
  assert.deepEqual(link.delivered.map((p) => p.readUInt32BE(0)), range(250));
  assert.deepEqual(link.closed, [{ side: 'sender', reason: 'done', byPeer: false }, { side: 'receiver', reason: 'peer shut down', byPeer: true }]);
  assert.equal(link.sender.write(VirtualLink.payload(1), link.now), false, 'write after close is refused');
});

test('AES-CTR with key refresh over a lossy link: every payload decrypts, both keys used, KMREQs answered', () => {
  const passphrase = 'virtual-link-passphrase';
  const salt = randomBytes(16);
  const kek = deriveKek(passphrase, salt, 32);
  const km = { keyFlags: 1 as const, cipher: CIPHER_AES_CTR, salt, keyLength: 32 as const, wrap: wrapKeys(kek, randomBytes(32)) };
  const link = new VirtualLink({
    loss: 0.05, seed: 5, latencyMs: 250,
    senderCrypto: StreamCrypto.fromCallerKeyMaterial(passphrase, km, kek, { refreshPackets: 400, preAnnouncePackets: 100 }),
    receiverCrypto: StreamCrypto.fromCallerKeyMaterial(passphrase, km, kek),
  });
  assert.deepEqual(stream(link, 2000), range(2000));
  assert.equal(link.receiver.stats(link.now).receive!.undecryptable, 0);
  assert.ok(link.receiver.stats(link.now).keyRefreshes >= 8, 'every announce and retire installed');
  assert.ok(link.sender.stats(link.now).keyRefreshes >= 8, 'and confirmed by a KMRSP');
});
