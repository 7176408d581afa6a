import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../../core/errors.js';
import { ClientHandshake } from './client-handshake.js';
import {
  FMS_KEY, FMS_PARTIAL_KEY, FP_PARTIAL_KEY, HANDSHAKE_PACKET_SIZE, digestOffset, findDigest, imprintDigest,
  verifyResponse,
} from './digest.js';
import type { HandshakeStep } from './handshake-common.js';
import { ServerHandshake } from './server-handshake.js';

/** Deterministic "random" so two runs of a handshake produce the same bytes. */
function seededRandom(seed: number): (n: number) => Buffer {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

const CONNECT = Buffer.from('030000000000c61400000000', 'hex'); // stands for the first chunk after C2

function run(digest: boolean) {
  const client = new ClientHandshake({ digest, random: seededRandom(1) });
  const server = new ServerHandshake({ random: seededRandom(2) });
  const c0c1 = client.start();
  const s = server.push(c0c1);
  assert.equal(s.done, false);
  assert.equal(s.send.length, 1);
  assert.equal(s.send[0]!.length, 1 + 2 * HANDSHAKE_PACKET_SIZE, 'S0+S1+S2 sent together right after C1');
  const c = client.push(Buffer.concat(s.send));
  assert.equal(c.done, true);
  assert.equal(c.rest.length, 0);
  const end = server.push(Buffer.concat([...c.send, CONNECT]));
  assert.equal(end.done, true);
  assert.deepEqual(end.rest, CONNECT);
  return { client, server, c0c1, s0s1s2: Buffer.concat(s.send), c2: Buffer.concat(c.send) };
}

test('digest C1 gets the complex answer, validated both ways', () => {
  const { client, server, s0s1s2 } = run(true);
  assert.equal(server.complex, true);
  assert.equal(client.serverValidated, true);
  assert.equal(server.c2Validated, true);
  assert.notEqual(s0s1s2.readUInt32BE(1 + 4), 0, 'S1 version non-zero (ffmpeg validates when byte 4 >= 3)');
  assert.ok(s0s1s2[5]! >= 3);
});

test('plain C1 gets S1 version 0 and S2 = C1 echo', () => {
  const { client, server, c0c1, s0s1s2, c2 } = run(false);
  assert.equal(server.complex, false);
  assert.equal(client.serverValidated, null);
  assert.equal(server.c2Validated, true);
  assert.equal(s0s1s2[0], 3);
  assert.equal(s0s1s2.readUInt32BE(1 + 4), 0);
  assert.deepEqual(s0s1s2.subarray(1 + HANDSHAKE_PACKET_SIZE), c0c1.subarray(1));
  assert.deepEqual(c2, s0s1s2.subarray(1, 1 + HANDSHAKE_PACKET_SIZE), 'C2 echoes S1');
});

test('server: C2 that is neither echo nor signature is accepted but reported', () => {
  const server = new ServerHandshake();
  server.push(new ClientHandshake({ digest: false }).start());
  const step = server.push(Buffer.alloc(HANDSHAKE_PACKET_SIZE, 7));
  assert.equal(step.done, true);
  assert.equal(server.c2Validated, false);
});

test('ffmpeg publishing echoes S1 after a digest exchange: accepted as valid', () => {
  const server = new ServerHandshake();
  const client = new ClientHandshake({ digest: true });
  const s = server.push(client.start());
  const s1 = s.send[0]!.subarray(1, 1 + HANDSHAKE_PACKET_SIZE);
  assert.equal(server.push(Buffer.from(s1)).done, true);
  assert.equal(server.c2Validated, true);
});

function collect(steps: HandshakeStep[]) {
  return {
    send: Buffer.concat(steps.flatMap((s) => s.send)),
    rest: Buffer.concat(steps.map((s) => s.rest)),
    done: steps.some((s) => s.done),
  };
}

for (const digest of [true, false]) {
  test(`server: same output for any split of C0C1+C2+rest (digest ${digest})`, () => {
    const c0c1 = new ClientHandshake({ digest, random: seededRandom(3) }).start();
    const c2 = seededRandom(4)(HANDSHAKE_PACKET_SIZE);
    const input = Buffer.concat([c0c1, c2, CONNECT]);
    const whole = collect([new ServerHandshake({ random: seededRandom(5) }).push(input)]);
    assert.equal(whole.done, true);
    assert.deepEqual(whole.rest, CONNECT);
    for (let i = 0; i <= input.length; i++) {
      const server = new ServerHandshake({ random: seededRandom(5) });
      const got = collect([server.push(input.subarray(0, i)), server.push(input.subarray(i))]);
      assert.deepEqual(got, whole, `split at ${i}`);
    }
    const server = new ServerHandshake({ random: seededRandom(5) });
    const steps: HandshakeStep[] = [];
    for (let i = 0; i < input.length; i++) steps.push(server.push(input.subarray(i, i + 1)));
    assert.deepEqual(collect(steps), whole, 'byte by byte');
  });

  test(`client: same output for any split of S0S1S2+rest (digest ${digest})`, () => {
    const server = new ServerHandshake({ random: seededRandom(6) });
    const c0c1 = new ClientHandshake({ digest, random: seededRandom(7) }).start();
    const input = Buffer.concat([...server.push(c0c1).send, CONNECT]);
    const reference = new ClientHandshake({ digest, random: seededRandom(7) });
    reference.start();
    const whole = collect([reference.push(input)]);
    assert.deepEqual(whole.rest, CONNECT);
    for (let i = 0; i <= input.length; i++) {
      const client = new ClientHandshake({ digest, random: seededRandom(7) });
      client.start();
      const got = collect([client.push(input.subarray(0, i)), client.push(input.subarray(i))]);
      assert.deepEqual(got, whole, `split at ${i}`);
    }
  });
}

test('garbage first byte fails at once, without waiting for C1', () => {
  for (const b of [0x00, 0x16 /* TLS ClientHello */, 0x47 /* "GET" */, 0xff]) {
    assert.throws(() => new ServerHandshake().push(Buffer.from([b])), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  }
  assert.throws(() => new ServerHandshake().push(Buffer.from([6])), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'));
  const client = new ClientHandshake();
  client.start();
  assert.throws(() => client.push(Buffer.from([0x48])), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('empty pushes and silence change nothing', () => {
  const server = new ServerHandshake();
  assert.deepEqual(server.push(Buffer.alloc(0)), { send: [], done: false, rest: Buffer.alloc(0) });
  assert.deepEqual(server.push(Buffer.from([3])), { send: [], done: false, rest: Buffer.alloc(0) });
});

test('pushes after done return everything as rest', () => {
  const { server } = run(true);
  const more = Buffer.from('abc');
  assert.deepEqual(server.push(more), { send: [], done: true, rest: more });
});

test('client: push before start and double start are state errors', () => {
  const client = new ClientHandshake();
  assert.throws(() => client.push(Buffer.from([3])), (e) => isOnAirError(e, 'ONAIR_ERR_STATE'));
  client.start();
  assert.throws(() => client.start(), (e) => isOnAirError(e, 'ONAIR_ERR_STATE'));
});

test('client: a non-zero S1 version without a valid digest is reported, or thrown when strict', () => {
  const fake = Buffer.alloc(1 + 2 * HANDSHAKE_PACKET_SIZE, 1);
  fake[0] = 3;
  const lenient = new ClientHandshake();
  lenient.start();
  const step = lenient.push(fake);
  assert.equal(step.done, true);
  assert.equal(lenient.serverValidated, false);
  assert.deepEqual(step.send[0], fake.subarray(1, 1 + HANDSHAKE_PACKET_SIZE), 'no digest to sign: echo S1');
  const strict = new ClientHandshake({ strict: true });
  strict.start();
  assert.throws(() => strict.push(fake), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('digest offset known answers (scheme 0: bytes 8..11, scheme 1: bytes 772..775)', () => {
  const p = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
  assert.equal(digestOffset(p, 0), 12);
  assert.equal(digestOffset(p, 1), 776);
  p.set([1, 2, 3, 4], 8);
  assert.equal(digestOffset(p, 0), 10 % 728 + 12);
  p.set([0xff, 0xff, 0xff, 0xff], 8);
  assert.equal(digestOffset(p, 0), 1020 % 728 + 12); // 304: the largest scheme-0 offset
  p.set([0xff, 0xff, 0xff, 0xff], 772);
  assert.equal(digestOffset(p, 1), 1068); // 1068 + 32 <= 1536: the digest always fits
  p.set([200, 200, 200, 200], 772);
  assert.equal(digestOffset(p, 1), 848); // 800 % 728 = 72, + 776
});

test('digest found in either scheme, and only with the right key', () => {
  for (const scheme of [0, 1] as const) {
    const p = seededRandom(9 + scheme)(HANDSHAKE_PACKET_SIZE);
    const d = imprintDigest(p, scheme, FP_PARTIAL_KEY);
    assert.deepEqual(findDigest(p, FP_PARTIAL_KEY), { scheme, digest: d });
    assert.equal(findDigest(p, FMS_PARTIAL_KEY), null);
    p[digestOffset(p, scheme) + 5]! ^= 1;
    assert.equal(findDigest(p, FP_PARTIAL_KEY), null);
  }
});

test('S2 signature is the HMAC chain ffmpeg checks: HMAC(S2[0..1504], HMAC(C1 digest, FMS full key))', () => {
  const client = new ClientHandshake({ random: seededRandom(11) });
  const c0c1 = client.start();
  const c1Digest = findDigest(c0c1.subarray(1), FP_PARTIAL_KEY)!.digest;
  const out = new ServerHandshake().push(c0c1).send[0]!;
  const s2 = out.subarray(1 + HANDSHAKE_PACKET_SIZE);
  assert.equal(verifyResponse(s2, c1Digest, FMS_KEY), true);
  assert.ok(findDigest(out.subarray(1, 1 + HANDSHAKE_PACKET_SIZE), FMS_PARTIAL_KEY), 'S1 carries an FMS digest');
});
