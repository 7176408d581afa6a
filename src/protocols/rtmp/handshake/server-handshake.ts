import {
  FMS_KEY, FMS_PARTIAL_KEY, FP_KEY, FP_PARTIAL_KEY, HANDSHAKE_PACKET_SIZE,
  findDigest, imprintDigest, signResponse, verifyResponse,
} from './digest.js';
import {
  EMPTY, FixedCollector, RTMP_VERSION, checkVersion, defaultRandom, newPacket,
  type HandshakeOptions, type HandshakeStep,
} from './handshake-common.js';

/**
 * S1 version for the complex handshake. ffmpeg validates the digest only when S1 byte 4 >= 3, and any
 * non-zero version MUST carry a correct digest (ffmpeg
 * `libavformat/rtmpproto.c` rtmp_handshake, librtmp `handshake.h` HandShake); nginx-rtmp sends this same 13.14.10.13.
 */
const COMPLEX_SERVER_VERSION = [13, 14, 10, 13] as const;
const PLAIN_SERVER_VERSION = [0, 0, 0, 0] as const;

type State = 'c0' | 'c1' | 'c2' | 'done';

/**
 * Server side of the RTMP handshake (spec 5.2), sans-IO. Feed every received byte to `push` and write
 * what it returns. S0+S1+S2 are sent together right after C1, because ffmpeg and GStreamer read S2
 * before they write C2. A C1 with a valid Flash Player digest gets the complex (digest) answer that
 * ffmpeg checks when playing; any other C1 gets the plain answer (S1 version 0, S2 = C1 echo), which every
 * client accepts. The 5 s timeout (HANDSHAKE_TIMEOUT_MS) is the caller's job.
 */
export class ServerHandshake {
  private state: State = 'c0';
  private readonly c1 = new FixedCollector(HANDSHAKE_PACKET_SIZE);
  private readonly c2 = new FixedCollector(HANDSHAKE_PACKET_SIZE);
  private readonly random: (n: number) => Buffer;
  private readonly epochMs: () => number;
  private s1: Buffer = EMPTY;
  private s1Digest: Buffer | null = null;
  private complexMode = false;
  private c2Ok = false;

  constructor(options: HandshakeOptions = {}) {
    this.random = options.random ?? defaultRandom;
    this.epochMs = options.epochMs ?? (() => 0);
  }

  /** True when the client sent a digest C1 and got the complex answer (known after C1). */
  get complex(): boolean {
    return this.complexMode;
  }

  /**
   * Whether C2 matched what a well-behaved client sends: the S1 echo, or for the complex handshake the
   * FP-key signature over our S1 digest. Not enforced: ffmpeg publishing echoes S1 even after a
   * digest exchange, and nothing is gained by rejecting a client for it. Known once `done`.
   */
  get c2Validated(): boolean {
    return this.c2Ok;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** Throws OnAirError: ONAIR_ERR_UNSUPPORTED for RTMPE (C0 = 6), ONAIR_ERR_MALFORMED for other C0s. */
  push(bytes: Buffer): HandshakeStep {
    const send: Buffer[] = [];
    let pos = 0;
    if (this.state === 'c0' && bytes.length > 0) {
      checkVersion(bytes[0]!, 'C0');
      this.state = 'c1';
      pos = 1;
    }
    if (this.state === 'c0') return { send, done: false, rest: EMPTY }; // nothing received yet
    if (this.state === 'c1') {
      pos = this.c1.take(bytes, pos);
      if (!this.c1.full) return { send, done: false, rest: EMPTY };
      send.push(this.answerC1(this.c1.bytes));
      this.state = 'c2';
    }
    if (this.state === 'c2') {
      pos = this.c2.take(bytes, pos);
      if (!this.c2.full) return { send, done: false, rest: EMPTY };
      this.c2Ok = this.checkC2(this.c2.bytes);
      this.state = 'done';
    }
    return { send, done: true, rest: bytes.subarray(pos) };
  }

  /** S0+S1+S2 in one buffer. */
  private answerC1(c1: Buffer): Buffer {
    const c1Digest = findDigest(c1, FP_PARTIAL_KEY);
    const epoch = this.epochMs();
    let s2: Buffer;
    if (c1Digest) {
      this.complexMode = true;
      this.s1 = newPacket(epoch, COMPLEX_SERVER_VERSION, this.random);
      // Same scheme as the client's C1, as nginx-rtmp does; ffmpeg tries both anyway.
      this.s1Digest = imprintDigest(this.s1, c1Digest.scheme, FMS_PARTIAL_KEY);
      s2 = newPacket(0, [0, 0, 0, 0], this.random);
      signResponse(s2, c1Digest.digest, FMS_KEY);
    } else {
      this.s1 = newPacket(epoch, PLAIN_SERVER_VERSION, this.random);
      s2 = c1; // spec 5.2.4: S2 echoes C1 (its second time field is read by no client)
    }
    return Buffer.concat([Buffer.from([RTMP_VERSION]), this.s1, s2]);
  }

  private checkC2(c2: Buffer): boolean {
    if (c2.equals(this.s1)) return true;
    return this.s1Digest !== null && verifyResponse(c2, this.s1Digest, FP_KEY);
  }
}
