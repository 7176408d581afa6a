import { randomBytes } from 'node:crypto';
import { OnAirError } from '../../../core/errors.js';
import { HANDSHAKE_PACKET_SIZE } from './digest.js';

/** C0/S0: plain RTMP is version 3 (spec 5.2.2). */
export const RTMP_VERSION = 3;
/** C0 = 6 asks for RTMPE (encrypted, Adobe proprietary), which OnAir does not implement. */
export const RTMPE_VERSION = 6;

/** What one `push` of a handshake produced. */
export interface HandshakeStep {
  /** Bytes to write to the peer now, in order (may be empty). */
  send: Buffer[];
  /** True once the handshake is complete; later pushes return everything as `rest`. */
  done: boolean;
  /**
   * Bytes that followed the handshake in this push (e.g. a connect command in the same TCP segment as
   * C2): feed them to the chunk reader. Empty until `done`.
   */
  rest: Buffer;
}

/** Injectable for tests; defaults to crypto random bytes and a millisecond clock. */
export interface HandshakeOptions {
  random?: (n: number) => Buffer;
  /** Our epoch for the first 4 bytes of C1/S1 (spec 5.2.3: "may be 0"). */
  epochMs?: () => number;
}

export const defaultRandom = (n: number): Buffer => randomBytes(n);

/** Checks the version byte the peer sent first, without waiting for more bytes. */
export function checkVersion(version: number, who: 'C0' | 'S0'): void {
  if (version === RTMP_VERSION) return;
  if (version === RTMPE_VERSION) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `${who} asks for RTMPE (6)`);
  throw new OnAirError('ONAIR_ERR_MALFORMED', `${who} version ${version} is not RTMP (3)`);
}

/** A fresh 1536-byte packet: epoch, 4 version bytes, random filler (spec 5.2.3). */
export function newPacket(epoch: number, version: readonly number[], random: (n: number) => Buffer): Buffer {
  const packet = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
  packet.writeUInt32BE(epoch >>> 0, 0);
  Buffer.from(version).copy(packet, 4);
  random(HANDSHAKE_PACKET_SIZE - 8).copy(packet, 8);
  return packet;
}

/**
 * Collects a fixed number of bytes across pushes into one preallocated buffer: the handshake never
 * holds more than it needs, whatever the peer sends.
 */
export class FixedCollector {
  private readonly buf: Buffer;
  private filled = 0;

  constructor(size: number) {
    this.buf = Buffer.alloc(size);
  }

  get length(): number {
    return this.filled;
  }

  /** Takes what it still needs from `bytes` at `pos`; returns the new position. */
  take(bytes: Buffer, pos: number): number {
    const n = Math.min(this.buf.length - this.filled, bytes.length - pos);
    bytes.copy(this.buf, this.filled, pos, pos + n);
    this.filled += n;
    return pos + n;
  }

  get full(): boolean {
    return this.filled === this.buf.length;
  }

  get bytes(): Buffer {
    return this.buf;
  }
}

export const EMPTY = Buffer.alloc(0);
