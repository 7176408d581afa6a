import type { Logger } from '../../core/logger.js';
import { SrtConnection, type Peer, type SrtConnectionOptions, type SrtConnectionStats, type SrtPacket } from '../../protocols/srt/index.js';
import type { SrtSessionHandlers, SrtSessionIo } from './srt-acceptor.js';

export type DatagramSender = (datagram: Buffer | readonly [Buffer, Buffer], peer: Peer) => void;

/**
 * One accepted SRT caller: its sans-IO connection, its address, the acceptor's handlers, and the conclusion
 * reply (resent when the caller repeats its conclusion because ours was lost). Closing is idempotent and
 * ends in `onClosed`, which removes it from the server.
 */
export class SrtSession implements SrtSessionIo {
  private readonly conn: SrtConnection;
  private handlers: SrtSessionHandlers | null = null;
  private closed = false;
  /**
   * What the connection sends before `answer()`: a player is subscribed (and sent the fast-start burst) while
   * it is being admitted, and libsrt throws away data that reaches it before the conclusion answer.
   */
  private beforeAnswer: (Buffer | readonly [Buffer, Buffer])[] | null = [];

  constructor(
    readonly peer: Peer,
    readonly callerSocketId: number,
    readonly path: string,
    readonly mode: 'publish' | 'request',
    readonly conclusionReply: Buffer,
    options: SrtConnectionOptions,
    private readonly sendDatagram: DatagramSender,
    private readonly clock: () => number,
    readonly log: Logger,
    private readonly onClosed: (s: SrtSession, reason: string) => void,
  ) {
    this.conn = new SrtConnection(options, {
      send: (d) => {
        if (this.beforeAnswer) this.beforeAnswer.push(d);
        else this.sendDatagram(d, this.peer);
      },
      deliver: (p) => this.handlers?.onPayload(p),
      closed: (reason, byPeer) => this.ended(reason, byPeer),
    }, clock());
  }

  get socketId(): number {
    return this.conn.socketId;
  }

  get pendingBytes(): number {
    return this.conn.pendingBytes;
  }

  attach(handlers: SrtSessionHandlers): void {
    this.handlers = handlers;
  }

  /** Sends the conclusion answer, then what the connection sent while the caller was being admitted. */
  answer(): void {
    const held = this.beforeAnswer;
    this.beforeAnswer = null;
    this.sendDatagram(this.conclusionReply, this.peer);
    if (held) for (const d of held) this.sendDatagram(d, this.peer);
  }

  matches(peer: Peer): boolean {
    return peer.port === this.peer.port && peer.address === this.peer.address;
  }

  /**
   * A datagram for this session, then its timers at the same instant: while packets flow, ACKs, NAKs and
   * TSBPD release happen on arrival, so the server's fallback timer can be slow (fewer event-loop wake-ups).
   */
  handlePacket(pkt: SrtPacket): void {
    const now = this.clock();
    this.conn.handlePacket(pkt, now);
    this.conn.tick(now);
  }

  tick(now: number): void {
    this.conn.tick(now);
  }

  write(payload: Buffer): boolean {
    return this.conn.write(payload, this.clock());
  }

  stats(): SrtConnectionStats {
    return this.conn.stats(this.clock());
  }

  /** Our side ends it: the peer gets a shutdown. */
  close(reason: string): void {
    this.conn.close(reason);
  }

  private ended(reason: string, byPeer: boolean): void {
    if (this.closed) return;
    this.closed = true;
    const s = this.conn.stats(this.clock());
    this.log.info({ reason, byPeer, rttMs: s.rttMs, keyRefreshes: s.keyRefreshes, receive: s.receive ?? undefined, send: s.send ?? undefined }, 'srt session ended');
    this.onClosed(this, reason);
    const h = this.handlers;
    this.handlers = null;
    h?.onClose(reason);
  }
}
