import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { seededRandom } from '../src/protocols/srt/testing/seeded-random.js';

export interface RelayOptions {
  /** Where the server listens. */
  readonly target: { address: string; port: number };
  /** Fraction of datagrams dropped in each direction (0..1). */
  readonly loss?: number;
  /** Fraction of caller -> server datagrams held back and sent after the next ones (reordering). */
  readonly reorder?: number;
  /** Deterministic loss pattern: the same seed drops the same datagrams. */
  readonly seed?: number;
  /** Lossless for this many datagrams per direction (lets the handshake through, like a link that degrades later). */
  readonly cleanStart?: number;
  /**
   * Lossy only this long after the first datagram. In live mode (libsrt too) a lost last packet is never
   * recovered (no later packet reveals it, the sender does not resend blindly), so a test that counts every
   * frame of a finite clip ends the loss before the clip does.
   */
  readonly lossForMs?: number;
  /** Sees every caller -> server datagram before the loss decision. */
  readonly tap?: (datagram: Buffer) => void;
  /** Datagrams (either direction) this returns true for are never dropped. */
  readonly spare?: (datagram: Buffer) => boolean;
}

export interface RelayStats {
  forwarded: number;
  dropped: number;
  reordered: number;
}

/**
 * A UDP relay for one caller that loses and reorders datagrams: the SRT caller connects to the relay, the
 * relay talks to the server from one socket. Loss is drawn from a seeded PRNG, so a failure
 * reproduces.
 */
export class LossyUdpRelay {
  readonly toServer: RelayStats = { forwarded: 0, dropped: 0, reordered: 0 };
  readonly toCaller: RelayStats = { forwarded: 0, dropped: 0, reordered: 0 };
  private readonly front: Socket = createSocket('udp4');
  private readonly back: Socket = createSocket('udp4');
  private caller: RemoteInfo | null = null;
  private held: Buffer | null = null;
  private firstAt = -1;
  private rand: () => number;

  constructor(private readonly opts: RelayOptions) {
    this.rand = seededRandom(opts.seed ?? 1);
    this.front.on('message', (msg, rinfo) => {
      this.caller = rinfo;
      opts.tap?.(msg);
      this.forward(msg, this.toServer, (m) => this.back.send(m, opts.target.port, opts.target.address), true);
    });
    this.back.on('message', (msg) => {
      const c = this.caller;
      if (c) this.forward(msg, this.toCaller, (m) => this.front.send(m, c.port, c.address), false);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.back.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => this.front.bind(0, '127.0.0.1', () => r()));
    return this.front.address().port;
  }

  close(): void {
    this.front.close();
    this.back.close();
  }

  private forward(msg: Buffer, stats: RelayStats, send: (m: Buffer) => void, mayReorder: boolean): void {
    const n = stats.forwarded + stats.dropped;
    if (this.firstAt < 0) this.firstAt = Date.now();
    const lossy = n >= (this.opts.cleanStart ?? 0) && Date.now() - this.firstAt < (this.opts.lossForMs ?? Infinity);
    if (lossy && this.rand() < (this.opts.loss ?? 0) && !this.opts.spare?.(msg)) {
      stats.dropped++;
      return;
    }
    stats.forwarded++;
    if (mayReorder && !this.held && this.rand() < (this.opts.reorder ?? 0)) {
      this.held = msg;
      stats.reordered++;
      return;
    }
    send(msg);
    if (mayReorder && this.held) {
      const h = this.held;
      this.held = null;
      send(h);
    }
  }
}
