import { OnAirError } from '../../../core/errors.js';
import {
  FMS_KEY, FMS_PARTIAL_KEY, FP_KEY, FP_PARTIAL_KEY, HANDSHAKE_PACKET_SIZE,
  findDigest, imprintDigest, signResponse, verifyResponse,
} from './digest.js';
import {
  EMPTY, FixedCollector, RTMP_VERSION, checkVersion, defaultRandom, newPacket,
  type HandshakeOptions, type HandshakeStep,
} from './handshake-common.js';

/** ffmpeg's C1 version (9.0.124.2): a non-zero version announces a digest C1. */
const DIGEST_CLIENT_VERSION = [9, 0, 124, 2] as const;

export interface ClientHandshakeOptions extends HandshakeOptions {
  /** Send a digest (Flash Player) C1 as ffmpeg does (default true); false = plain C1 like librtmp/OBS. */
  digest?: boolean;
  /**
   * Throw ONAIR_ERR_MALFORMED when S1 announces a digest (non-zero version) that does not validate, or
   * S2's signature is wrong. Default false: librtmp and GStreamer only warn, and relays should connect
   * to odd servers; the result is readable in `serverValidated`.
   */
  strict?: boolean;
}

type State = 'idle' | 's0' | 's1' | 's2' | 'done';

/**
 * Client side of the RTMP handshake (spec 5.2), sans-IO: `start()` gives C0+C1, then feed received
 * bytes to `push`; C2 is sent once S0+S1+S2 are all read (the order ffmpeg uses).
 */
export class ClientHandshake {
  private state: State = 'idle';
  private readonly s1 = new FixedCollector(HANDSHAKE_PACKET_SIZE);
  private readonly s2 = new FixedCollector(HANDSHAKE_PACKET_SIZE);
  private readonly random: (n: number) => Buffer;
  private readonly epochMs: () => number;
  private readonly digestMode: boolean;
  private readonly strict: boolean;
  private c1Digest: Buffer | null = null;
  private validated: boolean | null = null;

  constructor(options: ClientHandshakeOptions = {}) {
    this.random = options.random ?? defaultRandom;
    this.epochMs = options.epochMs ?? (() => 0);
    this.digestMode = options.digest ?? true;
    this.strict = options.strict ?? false;
  }

  /**
   * null: plain exchange (no digest sent or S1 version 0); true: S1 digest and S2 signature both
   * validated; false: the server announced a digest handshake and failed it. Known once `done`.
   */
  get serverValidated(): boolean | null {
    return this.validated;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** C0+C1, to write first. Call once. */
  start(): Buffer {
    if (this.state !== 'idle') throw new OnAirError('ONAIR_ERR_STATE', 'handshake already started');
    this.state = 's0';
    const c1 = newPacket(this.epochMs(), this.digestMode ? DIGEST_CLIENT_VERSION : [0, 0, 0, 0], this.random);
    // Scheme 0 (offset in bytes 8..11), as ffmpeg writes it.
    if (this.digestMode) this.c1Digest = imprintDigest(c1, 0, FP_PARTIAL_KEY);
    return Buffer.concat([Buffer.from([RTMP_VERSION]), c1]);
  }

  /** Throws OnAirError: ONAIR_ERR_STATE before start(), UNSUPPORTED/MALFORMED for a bad S0, see `strict`. */
  push(bytes: Buffer): HandshakeStep {
    if (this.state === 'idle') throw new OnAirError('ONAIR_ERR_STATE', 'push() before start()');
    const send: Buffer[] = [];
    let pos = 0;
    if (this.state === 's0' && bytes.length > 0) {
      checkVersion(bytes[0]!, 'S0');
      this.state = 's1';
      pos = 1;
    }
    if (this.state === 's0') return { send, done: false, rest: EMPTY }; // nothing received yet
    if (this.state === 's1') {
      pos = this.s1.take(bytes, pos);
      if (!this.s1.full) return { send, done: false, rest: EMPTY };
      this.state = 's2';
    }
    if (this.state === 's2') {
      pos = this.s2.take(bytes, pos);
      if (!this.s2.full) return { send, done: false, rest: EMPTY };
      send.push(this.answerS1(this.s1.bytes, this.s2.bytes));
      this.state = 'done';
    }
    return { send, done: true, rest: bytes.subarray(pos) };
  }

  /** Validates S1/S2 when a digest exchange is on and builds C2. */
  private answerS1(s1: Buffer, s2: Buffer): Buffer {
    // Like ffmpeg and librtmp: a zero S1 version means a plain server, whatever we sent.
    if (this.c1Digest === null || s1.readUInt32BE(4) === 0) {
      return Buffer.from(s1); // spec 5.2.4: C2 echoes S1
    }
    const s1Digest = findDigest(s1, FMS_PARTIAL_KEY);
    this.validated = s1Digest !== null && verifyResponse(s2, this.c1Digest, FMS_KEY);
    if (!this.validated && this.strict) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', 'server digest handshake did not validate');
    }
    if (s1Digest === null) return Buffer.from(s1);
    const c2 = newPacket(0, [0, 0, 0, 0], this.random);
    signResponse(c2, s1Digest.digest, FP_KEY);
    return c2;
  }
}
