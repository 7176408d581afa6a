import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import { isOnAirError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import {
  ControlType, decodePacket, ListenerHandshake, MAX_MSS, RECEIVE_BUFFER_PACKETS, SynCookies, type ControlPacket, type Peer, type SrtConnectionStats,
} from '../../protocols/srt/index.js';
import { ConclusionGate } from './conclusion-gate.js';
import { HostileInputLog } from './hostile-input-log.js';
import { SOCKET_BUFFER_BYTES, TICK_INTERVAL_MS } from './limits.js';
import type { SrtAcceptor } from './srt-acceptor.js';
import { SrtSession } from './srt-session.js';

export interface SrtServerOptions {
  readonly host: string;
  readonly port: number;
  /** Our receive latency and the latency we ask peers to apply (ms); each direction takes the larger wish. */
  readonly latencyMs: number;
  /** Sessions at once (publishers and players). */
  readonly maxSessions: number;
  readonly peerIdleTimeoutMs?: number;
}

/** Offset of the source socket id in a handshake CIF (after version, type, isn, mss, flow window, request type). */
const HS_SOCKET_ID_OFFSET = 24;

/**
 * The SRT listener: one UDP socket, datagrams demultiplexed by destination socket id. Socket id 0 is the
 * listener: inductions are answered statelessly (SYN cookie), conclusions go through the ConclusionGate
 * (bounded, async admission) and become SrtSessions. One timer drives every session's clock.
 */
export class SrtServer {
  private socket: Socket | null = null;
  private readonly sessions = new Map<number, SrtSession>();
  /** The same sessions by caller (address, port, caller socket id): repeated conclusions find them here. */
  private readonly callers = new Map<string, SrtSession>();
  private readonly listenerSocketId = randomInt(1, 0x4000_0000);
  private readonly handshake: ListenerHandshake;
  private readonly gate: ConclusionGate;
  private readonly hostile: HostileInputLog;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    private readonly options: SrtServerOptions,
    acceptor: SrtAcceptor,
    private readonly log: Logger,
  ) {
    this.handshake = new ListenerHandshake({
      listenerSocketId: this.listenerSocketId, mss: MAX_MSS, flowWindow: RECEIVE_BUFFER_PACKETS, cookies: new SynCookies(),
    });
    this.hostile = new HostileInputLog(log);
    this.gate = new ConclusionGate({
      acceptor, log, latencyMs: options.latencyMs, maxSessions: options.maxSessions, peerIdleTimeoutMs: options.peerIdleTimeoutMs,
      liveSessions: () => this.sessions.size,
      newSocketId: () => this.newSocketId(),
      send: (d, peer) => this.send(d, peer),
      clock: nowUs,
      register: (s) => this.register(s),
      unregister: (s) => this.unregister(s),
      isClosing: () => this.closing,
    });
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Callers whose conclusion is being decided (bounded by MAX_PENDING_HANDSHAKES). */
  get handshakesInProgress(): number {
    return this.gate.inProgress;
  }

  /** Counters of refused and malformed input since start. */
  get hostileCounts(): Readonly<Record<string, number>> {
    return this.hostile.counts;
  }

  /** Stats of the session publishing `path` over SRT, or null. */
  publisherStats(path: string): SrtConnectionStats | null {
    for (const s of this.sessions.values()) if (s.mode === 'publish' && s.path === path) return s.stats();
    return null;
  }

  /** Every live session with its stats (for a health view). */
  sessionStats(): { path: string; mode: 'publish' | 'request'; remoteAddress: string; stats: SrtConnectionStats }[] {
    return [...this.sessions.values()].map((s) => ({ path: s.path, mode: s.mode, remoteAddress: s.peer.address, stats: s.stats() }));
  }

  async listen(): Promise<number> {
    const socket = createSocket({ type: isIPv6(this.options.host) ? 'udp6' : 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    socket.on('error', (err) => this.log.warn({ err: err.message }, 'srt socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port, this.options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket.address().port;
  }

  /** Shuts every session down (the peers get a shutdown) and closes the socket. Idempotent. */
  async close(reason = 'server shutting down'): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const s of [...this.sessions.values()]) s.close(reason);
    this.stopTimer();
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((r) => socket.close(() => r()));
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closing) return;
    const peer: Peer = { address: rinfo.address, port: rinfo.port };
    if (msg.length > MAX_MSS) return this.hostile.note('oversized', peer, `datagram of ${msg.length} bytes`);
    let pkt;
    try {
      pkt = decodePacket(msg);
    } catch (err) {
      if (!isOnAirError(err)) throw err;
      return this.hostile.note('malformed', peer, err.message);
    }
    if (pkt.dstSocketId === 0 || pkt.dstSocketId === this.listenerSocketId) {
      if (!pkt.isControl || pkt.type !== ControlType.handshake) return this.hostile.note('not-handshake', peer, 'listener got a non-handshake packet');
      return this.onListenerHandshake(pkt, peer);
    }
    const session = this.sessions.get(pkt.dstSocketId);
    if (!session || !session.matches(peer)) return this.hostile.note('unknown-socket', peer, 'packet for an unknown socket id');
    session.handlePacket(pkt);
  }

  private onListenerHandshake(pkt: ControlPacket, peer: Peer): void {
    const arrival = nowUs();
    const callerSocketId = pkt.cif.length >= HS_SOCKET_ID_OFFSET + 4 ? pkt.cif.readUInt32BE(HS_SOCKET_ID_OFFSET) : 0;
    if (this.gate.answerRepeat(peer, callerSocketId, this.sessionOf(peer, callerSocketId))) return;
    const action = this.handshake.handle(pkt, peer, Date.now());
    switch (action.kind) {
      case 'reply':
        this.send(action.datagram, peer);
        break;
      case 'reject':
        this.log.warn({ remote: peer.address, reason: action.reason, detail: action.detail }, 'srt caller refused');
        this.gate.remember(peer, callerSocketId, action.datagram);
        this.send(action.datagram, peer);
        break;
      case 'conclusion':
        this.gate.admit(action.request, peer, arrival);
        break;
      case 'ignore':
        this.hostile.note('handshake', peer, action.reason);
        break;
    }
  }

  private sessionOf(peer: Peer, callerSocketId: number): SrtSession | undefined {
    return this.callers.get(callerKey(peer, callerSocketId));
  }

  private register(s: SrtSession): void {
    this.sessions.set(s.socketId, s);
    this.callers.set(callerKey(s.peer, s.callerSocketId), s);
    this.startTimer();
  }

  private unregister(s: SrtSession): void {
    if (this.sessions.get(s.socketId) === s) this.sessions.delete(s.socketId);
    const key = callerKey(s.peer, s.callerSocketId);
    if (this.callers.get(key) === s) this.callers.delete(key);
    if (this.sessions.size === 0) this.stopTimer();
  }

  private newSocketId(): number {
    for (;;) {
      const id = randomInt(1, 0x4000_0000);
      if (id !== this.listenerSocketId && !this.sessions.has(id)) return id;
    }
  }

  private send(datagram: Buffer | readonly [Buffer, Buffer], peer: Peer): void {
    this.socket?.send(datagram as Buffer | Buffer[], peer.port, peer.address);
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = nowUs();
      for (const s of this.sessions.values()) s.tick(now);
    }, TICK_INTERVAL_MS);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

function callerKey(peer: Peer, callerSocketId: number): string {
  return `${peer.address}|${peer.port}|${callerSocketId}`;
}

/** Monotonic microseconds: the sessions' clock. */
function nowUs(): number {
  return performance.now() * 1000;
}
