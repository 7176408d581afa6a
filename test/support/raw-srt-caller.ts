import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import {
  ControlType, decodeHandshake, decodePacket, encodeControl, encodeExtString, encodeHandshake, encodeSrtHs, ExtType, HandshakeType, HsExtFlag,
  OUR_SRT_FLAGS, OUR_SRT_VERSION, REJECTION_BASE, UDT_DGRAM, type SrtPacket,
} from '../../src/protocols/srt/index.js';

export type ConclusionOutcome =
  | { readonly kind: 'accepted'; readonly socketId: number }
  | { readonly kind: 'rejected'; readonly reason: number }
  | { readonly kind: 'silence' };

/**
 * Our own minimal SRT caller for hostile-input tests (in addition to libsrt's): sends hand-made handshakes
 * from its own UDP port and reports what came back. Each instance is one source port.
 */
export class RawSrtCaller {
  readonly socketId = randomInt(1, 0x3fff_ffff);
  private readonly socket: Socket = createSocket('udp4');
  private readonly inbox: SrtPacket[] = [];
  private waiter: (() => void) | null = null;

  constructor(private readonly port: number, private readonly host = '127.0.0.1') {
    this.socket.on('message', (msg) => {
      try {
        this.inbox.push(decodePacket(msg));
      } catch {
        return;
      }
      this.waiter?.();
    });
  }

  async open(): Promise<this> {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r()));
    return this;
  }

  send(datagram: Buffer): void {
    this.socket.send(datagram, this.port, this.host);
  }

  /** The next packet from the server, or null after `ms`. */
  async next(ms = 1000): Promise<SrtPacket | null> {
    if (this.inbox.length === 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => resolve(), ms);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.inbox.shift() ?? null;
  }

  /** Induction: the cookie the listener answered with. */
  async induction(): Promise<number> {
    this.send(encodeControl({ type: ControlType.handshake, timestamp: 0, dstSocketId: 0 }, encodeHandshake({
      version: 4, encryptionField: 0, extensionField: UDT_DGRAM, isn: 1000, mss: 1500, flowWindow: 8192,
      handshakeType: HandshakeType.induction, socketId: this.socketId, cookie: 0,
    })));
    // A bound, not an expectation: the answer is in this process's socket buffer at once, but a loaded machine may run
    // this process's timers (this wait's) before it reads the socket.
    const p = await this.next(5000);
    if (!p?.isControl) throw new Error('no induction answer');
    return decodeHandshake(p.cif).cookie;
  }

  /**
   * A v5 conclusion with HSREQ and a stream id (and any extra blocks); what the listener answered, or silence after
   * `waitMs` (give a short one where silence is what is checked; the default is a bound for an answer).
   */
  async conclude(streamId: string, opts: { cookie?: number; extra?: { type: number; body: Buffer }[]; waitMs?: number } = {}): Promise<ConclusionOutcome> {
    const cookie = opts.cookie ?? (await this.induction());
    const extensions = [
      { type: ExtType.hsReq, body: encodeSrtHs({ srtVersion: OUR_SRT_VERSION, flags: OUR_SRT_FLAGS, rcvLatencyMs: 120, sndLatencyMs: 120 }) },
      { type: ExtType.sid, body: encodeExtString(streamId) },
      ...(opts.extra ?? []),
    ];
    this.send(encodeControl({ type: ControlType.handshake, timestamp: 0, dstSocketId: 0 }, encodeHandshake({
      version: 5, encryptionField: 0, extensionField: HsExtFlag.hsreq | HsExtFlag.config, isn: 1000, mss: 1500, flowWindow: 8192,
      handshakeType: HandshakeType.conclusion, socketId: this.socketId, cookie,
    }, extensions)));
    const p = await this.next(opts.waitMs ?? 5000);
    if (!p?.isControl || p.type !== ControlType.handshake) return { kind: 'silence' };
    const hs = decodeHandshake(p.cif);
    if (hs.handshakeType >= REJECTION_BASE && hs.handshakeType < HandshakeType.done) return { kind: 'rejected', reason: hs.handshakeType - REJECTION_BASE };
    return { kind: 'accepted', socketId: hs.socketId };
  }

  close(): void {
    this.socket.close();
  }
}
