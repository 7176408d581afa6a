import { isOnAirError } from '../../../core/errors.js';
import { decodeHandshake, HandshakeType, type Handshake } from '../packet/handshake.js';
import type { ControlPacket } from '../packet/packet.js';
import { readConclusion, type ConclusionRequest } from './conclusion-request.js';
import { inductionReply, rejection } from './listener-replies.js';
import type { RejectReasonCode } from './reject-reason.js';

export interface Peer {
  readonly address: string;
  readonly port: number;
}

export type ListenerAction =
  /** Induction answered with a cookie; nothing was kept. */
  | { readonly kind: 'reply'; readonly datagram: Buffer }
  /** A well-formed v5 conclusion with a valid cookie: the server decides (auth, keys) and answers. */
  | { readonly kind: 'conclusion'; readonly request: ConclusionRequest }
  /** Refused outright (version, mode, FEC, ...): send `datagram`. */
  | { readonly kind: 'reject'; readonly datagram: Buffer; readonly reason: RejectReasonCode; readonly detail: string }
  /** Not worth an answer (bad cookie, garbage, a type a listener never gets). */
  | { readonly kind: 'ignore'; readonly reason: string };

/** Makes and checks SYN cookies (SynCookies; a fixed one in tests replaying captured handshakes). */
export interface CookieJar {
  make(address: string, port: number, nowMs: number): number;
  check(cookie: number, address: string, port: number, nowMs: number): boolean;
}

export interface ListenerOptions {
  readonly listenerSocketId: number;
  readonly mss: number;
  readonly flowWindow: number;
  readonly cookies: CookieJar;
}

/**
 * The caller-listener handshake as a listener sees it (handshake.md "The Caller-Listener Handshake"),
 * sans-IO and stateless: an induction gets a SYN cookie made from the caller's address, port and the
 * minute; a conclusion is looked at only when it echoes a valid cookie. What happens then (authorising,
 * unwrapping keys, creating the connection) is the caller of `handle`'s business.
 */
export class ListenerHandshake {
  constructor(private readonly opts: ListenerOptions) {}

  handle(pkt: ControlPacket, peer: Peer, nowMs: number): ListenerAction {
    let hs: Handshake;
    try {
      hs = decodeHandshake(pkt.cif);
    } catch (err) {
      if (isOnAirError(err)) return { kind: 'ignore', reason: `bad handshake: ${err.message}` };
      throw err;
    }
    if (hs.handshakeType === HandshakeType.induction) {
      const cookie = this.opts.cookies.make(peer.address, peer.port, nowMs);
      return {
        kind: 'reply',
        datagram: inductionReply(hs, { listenerSocketId: this.opts.listenerSocketId, cookie, mss: this.opts.mss, flowWindow: this.opts.flowWindow, peerAddress: peer.address }),
      };
    }
    if (hs.handshakeType !== HandshakeType.conclusion) return { kind: 'ignore', reason: `handshake type ${hs.handshakeType} (rendezvous or a rejection)` };
    if (!this.opts.cookies.check(hs.cookie, peer.address, peer.port, nowMs)) return { kind: 'ignore', reason: 'conclusion with a wrong SYN cookie' };
    const checked = readConclusion(hs, pkt.timestamp);
    if (!checked.ok) {
      return { kind: 'reject', reason: checked.reason, detail: checked.detail, datagram: rejection(hs.socketId, hs.isn, checked.reason, peer.address) };
    }
    return { kind: 'conclusion', request: checked.request };
  }
}
