import { randomBytes } from 'node:crypto';
import { SrtConnection, type SrtConnectionOptions } from '../connection.js';
import { decodePacket } from '../packet/packet.js';
import type { StreamCrypto } from '../crypto/stream-crypto.js';
import { seededRandom } from './seeded-random.js';

export interface LinkOptions {
  /** One-way delay, µs. */
  readonly delayUs?: number;
  /** Extra random delay up to this (reordering), µs. */
  readonly jitterUs?: number;
  /** Loss probability per datagram, both directions. */
  readonly loss?: number;
  /** Drops a datagram when this says so (after `loss`). */
  readonly drop?: (datagram: Buffer, toReceiver: boolean, now: number) => boolean;
  readonly seed?: number;
  readonly isn?: number;
  readonly latencyMs?: number;
  readonly receiveBufferPackets?: number;
  readonly peerFlowWindow?: number;
  readonly senderCrypto?: StreamCrypto | null;
  readonly receiverCrypto?: StreamCrypto | null;
}

/**
 * Two sans-IO SRT connections, a sender and a receiver, joined by a simulated network on a virtual clock:
 * deterministic loss, delay and reordering. Tests drive it in 1 ms steps.
 */
export class VirtualLink {
  now = 0;
  readonly sender: SrtConnection;
  readonly receiver: SrtConnection;
  readonly delivered: Buffer[] = [];
  readonly closed: { side: 'sender' | 'receiver'; reason: string; byPeer: boolean }[] = [];
  readonly carried = { toReceiver: 0, toSender: 0, lost: 0 };
  private inFlight: { at: number; toReceiver: boolean; datagram: Buffer }[] = [];
  private readonly rand: () => number;

  constructor(private readonly opts: LinkOptions = {}) {
    this.rand = seededRandom(opts.seed ?? 7);
    const isn = opts.isn ?? 1000;
    const latency = opts.latencyMs ?? 120;
    const base: Omit<SrtConnectionOptions, 'socketId' | 'peerSocketId' | 'role' | 'crypto'> = {
      isn, peerFlowWindow: opts.peerFlowWindow ?? 8192, rcvLatencyMs: latency, sndLatencyMs: latency, peerTimestamp: 0,
      handshakeArrival: this.delay(), ...(opts.receiveBufferPackets ? { receiveBufferPackets: opts.receiveBufferPackets } : {}),
    };
    this.sender = new SrtConnection({ ...base, socketId: 1, peerSocketId: 2, role: 'sender', crypto: opts.senderCrypto ?? null }, {
      send: (d) => this.transmit(d, true),
      deliver: () => undefined,
      closed: (reason, byPeer) => this.closed.push({ side: 'sender', reason, byPeer }),
    }, 0);
    this.receiver = new SrtConnection({ ...base, socketId: 2, peerSocketId: 1, role: 'receiver', crypto: opts.receiverCrypto ?? null }, {
      send: (d) => this.transmit(d, false),
      deliver: (p) => this.delivered.push(Buffer.from(p)),
      closed: (reason, byPeer) => this.closed.push({ side: 'receiver', reason, byPeer }),
    }, 0);
  }

  /** Advances the clock by `ms`, delivering what is due and ticking both sides every 5 ms. */
  run(ms: number, each?: (now: number) => void): void {
    for (let i = 0; i < ms; i++) {
      this.now += 1000;
      const due = this.inFlight.filter((f) => f.at <= this.now).sort((a, b) => a.at - b.at);
      this.inFlight = this.inFlight.filter((f) => f.at > this.now);
      for (const f of due) (f.toReceiver ? this.receiver : this.sender).handlePacket(decodePacket(f.datagram), this.now);
      each?.(this.now);
      if ((this.now / 1000) % 5 === 0) {
        this.sender.tick(this.now);
        this.receiver.tick(this.now);
      }
    }
  }

  /** A payload whose first 4 bytes are `n`, the rest random. */
  static payload(n: number, size = 1316): Buffer {
    const b = randomBytes(size);
    b.writeUInt32BE(n, 0);
    return b;
  }

  private transmit(d: Buffer | readonly [Buffer, Buffer], toReceiver: boolean): void {
    const datagram = Buffer.isBuffer(d) ? Buffer.from(d) : Buffer.concat([d[0], d[1]]);
    if (toReceiver) this.carried.toReceiver++;
    else this.carried.toSender++;
    if (this.rand() < (this.opts.loss ?? 0) || this.opts.drop?.(datagram, toReceiver, this.now)) {
      this.carried.lost++;
      return;
    }
    this.inFlight.push({ at: this.now + this.delay(), toReceiver, datagram });
  }

  private delay(): number {
    return (this.opts.delayUs ?? 20_000) + Math.floor(this.rand() * (this.opts.jitterUs ?? 0));
  }
}
