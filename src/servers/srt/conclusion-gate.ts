import { redactName, type Logger } from '../../core/logger.js';
import {
  conclusionReply, deriveKekAsync, MAX_MSS, negotiateLatency, parseStreamId, RECEIVE_BUFFER_PACKETS, RejectReason, rejection, rejectReasonName,
  StreamCrypto, type ConclusionRequest, type Peer, type RejectReasonCode,
} from '../../protocols/srt/index.js';
import { MAX_PENDING_HANDSHAKES, MAX_PENDING_PER_ADDRESS, REJECTION_CACHE_SIZE, REJECTION_CACHE_TTL_MS } from './limits.js';
import type { SrtAcceptor } from './srt-acceptor.js';
import { SrtSession, type DatagramSender } from './srt-session.js';

export interface ConclusionGateDeps {
  readonly acceptor: SrtAcceptor;
  readonly log: Logger;
  readonly latencyMs: number;
  readonly maxSessions: number;
  readonly peerIdleTimeoutMs?: number;
  liveSessions(): number;
  newSocketId(): number;
  readonly send: DatagramSender;
  clock(): number;
  register(s: SrtSession): void;
  unregister(s: SrtSession): void;
  isClosing(): boolean;
}

class Refusal {
  constructor(readonly reason: RejectReasonCode, readonly detail: string) {}
}

/**
 * Turns checked conclusions into sessions: the caller's stream ID is read, the acceptor decides (auth, the
 * stream's passphrase), the caller's keys are unwrapped with that passphrase, and only then does the
 * session exist and the caller get its answer. Callers being decided are bounded in total and per address;
 * repeats of a conclusion get the same answer (the session's reply, or the remembered rejection) and are
 * never decided twice.
 */
export class ConclusionGate {
  private readonly pending = new Set<string>();
  private readonly pendingByAddress = new Map<string, number>();
  private readonly rejected = new Map<string, { datagram: Buffer; at: number }>();

  constructor(private readonly deps: ConclusionGateDeps) {}

  get inProgress(): number {
    return this.pending.size;
  }

  /** A conclusion repeated by a caller we know: answered (or ignored while deciding). True when handled. */
  answerRepeat(peer: Peer, callerSocketId: number, session: SrtSession | undefined): boolean {
    if (session) {
      this.deps.send(session.conclusionReply, peer);
      return true;
    }
    const key = callerKey(peer, callerSocketId);
    if (this.pending.has(key)) return true;
    const r = this.rejected.get(key);
    if (!r) return false;
    if (Date.now() - r.at > REJECTION_CACHE_TTL_MS) {
      this.rejected.delete(key);
      return false;
    }
    this.deps.send(r.datagram, peer);
    return true;
  }

  remember(peer: Peer, callerSocketId: number, datagram: Buffer): void {
    this.rejected.set(callerKey(peer, callerSocketId), { datagram, at: Date.now() });
    if (this.rejected.size > REJECTION_CACHE_SIZE) this.rejected.delete(this.rejected.keys().next().value!);
  }

  admit(req: ConclusionRequest, peer: Peer, arrivalUs: number): void {
    const key = callerKey(peer, req.callerSocketId);
    const fromAddress = this.pendingByAddress.get(peer.address) ?? 0;
    if (this.pending.size >= MAX_PENDING_HANDSHAKES || fromAddress >= MAX_PENDING_PER_ADDRESS) {
      return this.refuse(req, peer, new Refusal(RejectReason.backlog, 'too many handshakes in progress'), '');
    }
    if (this.deps.liveSessions() + this.pending.size >= this.deps.maxSessions) {
      return this.refuse(req, peer, new Refusal(RejectReason.overload, 'session limit reached'), '');
    }
    this.pending.add(key);
    this.pendingByAddress.set(peer.address, fromAddress + 1);
    void this.decide(req, peer, arrivalUs).finally(() => {
      this.pending.delete(key);
      const n = (this.pendingByAddress.get(peer.address) ?? 1) - 1;
      if (n <= 0) this.pendingByAddress.delete(peer.address);
      else this.pendingByAddress.set(peer.address, n);
    });
  }

  private async decide(req: ConclusionRequest, peer: Peer, arrivalUs: number): Promise<void> {
    const sid = parseStreamId(req.streamId ?? '');
    const name = sid.ok ? redactName(sid.resource) : '';
    try {
      if (!sid.ok) throw new Refusal(sid.unsupportedMode ? RejectReason.badMode : RejectReason.badRequest, sid.reason);
      const admission = await this.deps.acceptor.admit({ mode: sid.mode, resource: sid.resource, peer });
      if (!admission.ok) throw new Refusal(admission.reason, admission.detail);
      const crypto = await this.settleKeys(req, admission.passphrase);
      if (this.deps.isClosing()) throw new Refusal(RejectReason.close, 'server shutting down');
      const latency = negotiateLatency(req, this.deps.latencyMs);
      const socketId = this.deps.newSocketId();
      const reply = conclusionReply(req, {
        socketId, mss: MAX_MSS, flowWindow: RECEIVE_BUFFER_PACKETS, latency, peerAddress: peer.address,
        kmResponse: crypto ? req.kmBody : null, keyLength: crypto?.keyLength ?? 0,
      });
      const log = this.deps.log.child({ srt: socketId, remote: peer.address, path: admission.path, mode: sid.mode });
      const session = new SrtSession(peer, req.callerSocketId, admission.path, sid.mode, reply, {
        socketId, peerSocketId: req.callerSocketId, role: sid.mode === 'publish' ? 'receiver' : 'sender', isn: req.isn,
        peerFlowWindow: req.flowWindow, rcvLatencyMs: latency.rcvMs, sndLatencyMs: latency.sndMs, peerTimestamp: req.peerTimestamp,
        handshakeArrival: arrivalUs, crypto,
        ...(this.deps.peerIdleTimeoutMs ? { peerIdleTimeoutUs: this.deps.peerIdleTimeoutMs * 1000 } : {}),
      }, this.deps.send, this.deps.clock, log, (s) => this.deps.unregister(s));
      const opened = admission.open(session);
      if ('refuse' in opened) throw new Refusal(opened.refuse, opened.detail);
      session.attach(opened);
      this.deps.register(session);
      session.answer();
      log.info({ name, latencyMs: latency.rcvMs, encrypted: crypto !== null, keyBits: crypto ? crypto.keyLength * 8 : 0 }, 'srt session started');
    } catch (err) {
      if (err instanceof Refusal) return this.refuse(req, peer, err, name);
      this.deps.log.error({ err, remote: peer.address }, 'srt admission failed');
      this.refuse(req, peer, new Refusal(RejectReason.internalError, 'internal error'), name);
    }
  }

  /** The caller's keys against the passphrase its stream needs (both sides must agree, as libsrt enforces). */
  private async settleKeys(req: ConclusionRequest, passphrase: string | null): Promise<StreamCrypto | null> {
    if (!passphrase) {
      if (req.km) throw new Refusal(RejectReason.unsecure, 'caller encrypts but this stream has no passphrase');
      return null;
    }
    if (!req.km) throw new Refusal(RejectReason.unsecure, 'this stream needs a passphrase');
    const kek = await deriveKekAsync(passphrase, req.km.salt, req.km.keyLength);
    const crypto = StreamCrypto.fromCallerKeyMaterial(passphrase, req.km, kek);
    if (!crypto) throw new Refusal(RejectReason.badSecret, 'wrong passphrase');
    return crypto;
  }

  private refuse(req: ConclusionRequest, peer: Peer, r: Refusal, name: string): void {
    this.deps.log.warn({ remote: peer.address, name, reason: rejectReasonName(r.reason), detail: r.detail }, 'srt caller refused');
    const datagram = rejection(req.callerSocketId, req.isn, r.reason, peer.address);
    this.remember(peer, req.callerSocketId, datagram);
    this.deps.send(datagram, peer);
  }
}

function callerKey(peer: Peer, callerSocketId: number): string {
  return `${peer.address}|${peer.port}|${callerSocketId}`;
}
