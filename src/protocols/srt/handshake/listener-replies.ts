import { ControlType, encodeControl } from '../packet/packet.js';
import {
  encodeHandshake, encodePeerIp, ExtType, HandshakeType, HsExtFlag, REJECTION_BASE, SRT_MAGIC_CODE, type Handshake, type HandshakeExtension,
} from '../packet/handshake.js';
import { encodeSrtHs, OUR_SRT_FLAGS, OUR_SRT_VERSION } from '../packet/srt-extensions.js';
import type { ConclusionRequest } from './conclusion-request.js';
import type { RejectReasonCode } from './reject-reason.js';

/** The handshake replies of a listener, as whole datagrams addressed to the caller's socket. */

export interface InductionReplyFields {
  readonly listenerSocketId: number;
  readonly cookie: number;
  readonly mss: number;
  readonly flowWindow: number;
  readonly peerAddress: string;
}

/** Induction answer: version 5 and the SRT magic tell a v5 caller to send a v5 conclusion with our cookie. */
export function inductionReply(req: Handshake, f: InductionReplyFields): Buffer {
  const cif = encodeHandshake({
    version: 5, encryptionField: 0, extensionField: SRT_MAGIC_CODE, isn: req.isn, mss: f.mss, flowWindow: f.flowWindow,
    handshakeType: HandshakeType.induction, socketId: f.listenerSocketId, cookie: f.cookie, peerIp: encodePeerIp(f.peerAddress),
  });
  return encodeControl({ type: ControlType.handshake, timestamp: 0, dstSocketId: req.socketId }, cif);
}

/** Effective latencies: each direction takes the larger of what the two sides asked (handshake.md HSREQ). */
export interface NegotiatedLatency {
  /** What we apply to what we receive from the caller (ms). */
  readonly rcvMs: number;
  /** What the caller applies to what it receives from us (ms). */
  readonly sndMs: number;
}

export function negotiateLatency(req: ConclusionRequest, ourLatencyMs: number): NegotiatedLatency {
  return { rcvMs: Math.max(ourLatencyMs, req.hs.sndLatencyMs), sndMs: Math.max(ourLatencyMs, req.hs.rcvLatencyMs) };
}

export interface ConclusionReplyFields {
  readonly socketId: number;
  readonly mss: number;
  readonly flowWindow: number;
  readonly latency: NegotiatedLatency;
  readonly peerAddress: string;
  /** Echo of the caller's KMREQ when its keys unwrapped; null when the connection is not encrypted. */
  readonly kmResponse: Buffer | null;
  readonly keyLength: number;
}

/** Conclusion answer: our socket id, HSRSP with the effective latencies, and KMRSP when encrypted. */
export function conclusionReply(req: ConclusionRequest, f: ConclusionReplyFields): Buffer {
  const extensions: HandshakeExtension[] = [{
    type: ExtType.hsRsp,
    body: encodeSrtHs({ srtVersion: OUR_SRT_VERSION, flags: OUR_SRT_FLAGS, rcvLatencyMs: f.latency.rcvMs, sndLatencyMs: f.latency.sndMs }),
  }];
  if (f.kmResponse) extensions.push({ type: ExtType.kmRsp, body: f.kmResponse });
  const cif = encodeHandshake({
    version: 5, encryptionField: f.kmResponse ? f.keyLength / 8 : 0, extensionField: HsExtFlag.hsreq | (f.kmResponse ? HsExtFlag.kmreq : 0),
    isn: req.isn, mss: Math.min(req.mss, f.mss), flowWindow: f.flowWindow, handshakeType: HandshakeType.conclusion,
    socketId: f.socketId, cookie: 0, peerIp: encodePeerIp(f.peerAddress),
  }, extensions);
  return encodeControl({ type: ControlType.handshake, timestamp: 0, dstSocketId: req.callerSocketId }, cif);
}

/** Rejection: the request type is 1000 + reason; libsrt callers report it by name and stop retrying. */
export function rejection(callerSocketId: number, isn: number, reason: RejectReasonCode, peerAddress: string): Buffer {
  const cif = encodeHandshake({
    version: 5, encryptionField: 0, extensionField: 0, isn, mss: 1500, flowWindow: 0,
    handshakeType: REJECTION_BASE + reason, socketId: 0, cookie: 0, peerIp: encodePeerIp(peerAddress),
  });
  return encodeControl({ type: ControlType.handshake, timestamp: 0, dstSocketId: callerSocketId }, cif);
}
