import { isOnAirError } from '../../core/errors.js';
import { ControlType, encodeControl, type ControlPacket, type DataPacket, type SrtPacket } from './packet/packet.js';
import { ExtType } from './packet/handshake.js';
import { decodeAck, decodeDropRequest, decodeLossReport, encodeDropRequest, encodeFullAck, encodeLightAck, encodeLossReport, type AckInfo } from './packet/feedback.js';
import { decodeKeyMaterial, decodeKmState, encodeKeyMaterial, encodeKmState, KmState, type KeyMaterialMessage } from './packet/key-material.js';
import type { StreamCrypto } from './crypto/stream-crypto.js';
import { Receiver } from './receiver/receiver.js';
import { TsbpdClock } from './receiver/tsbpd-clock.js';
import { Sender } from './sender/sender.js';
import { receiveStats, sendStats, type SrtConnectionStats } from './connection-stats.js';
import { DEFAULT_PEER_IDLE_TIMEOUT_US, KEEPALIVE_INTERVAL_US, KM_RETRIES, KM_RETRY_MIN_US, RECEIVE_BUFFER_PACKETS, SEND_BUFFER_PACKETS } from './limits.js';

export interface SrtConnectionOptions {
  readonly socketId: number;
  readonly peerSocketId: number;
  /** `receiver`: the peer publishes to us; `sender`: we send the peer a stream. */
  readonly role: 'receiver' | 'sender';
  readonly isn: number;
  readonly peerFlowWindow: number;
  /** Effective latencies from the handshake (ms). */
  readonly rcvLatencyMs: number;
  readonly sndLatencyMs: number;
  /** The caller's timestamp on its conclusion and when it arrived here (µs): TSBPD's time base. */
  readonly peerTimestamp: number;
  readonly handshakeArrival: number;
  readonly crypto: StreamCrypto | null;
  readonly peerIdleTimeoutUs?: number;
  readonly receiveBufferPackets?: number;
  readonly sendBufferPackets?: number;
}

export interface SrtConnectionOutput {
  /** One datagram, as one buffer or as header + payload (sent without joining them). */
  send(datagram: Buffer | readonly [Buffer, Buffer]): void;
  /** An in-order payload (receiver role) whose play time has come. */
  deliver(payload: Buffer): void;
  /** Once, when the connection ends; `byPeer` when the peer shut down or went silent. */
  closed(reason: string, byPeer: boolean): void;
}

/** Extra words libsrt pads bodiless control packets with (keepalive, shutdown). */
const EMPTY_CIF = Buffer.alloc(4);

/**
 * One established SRT connection, sans-IO: datagrams in (`handlePacket`), time in (`tick`, about every
 * 10 ms), payloads in (`write`) and everything out through `SrtConnectionOutput`. It owns the receiver or
 * the sender, decryption and key refresh, keepalive, the peer-idle timeout and shutdown.
 */
export class SrtConnection {
  private readonly receiver: Receiver | null;
  private readonly sender: Sender | null;
  private readonly clock: TsbpdClock | null;
  private readonly startTime: number;
  private lastHeard: number;
  private lastSent: number;
  private pendingKm: { body: Buffer; sentAt: number; retries: number } | null = null;
  private closedFlag = false;
  /** Key refreshes after the handshake: KMREQs from the peer we installed, or ours the peer confirmed. */
  private keyRefreshes = 0;
  /** The latest time handed in (µs): what control packets are stamped with. */
  private now: number;

  constructor(private readonly opts: SrtConnectionOptions, private readonly out: SrtConnectionOutput, now: number) {
    this.startTime = this.now = now;
    this.lastHeard = this.lastSent = now;
    if (opts.role === 'receiver') {
      const clock = new TsbpdClock(opts.handshakeArrival, opts.peerTimestamp, opts.rcvLatencyMs * 1000);
      this.receiver = new Receiver(opts.isn, opts.receiveBufferPackets ?? RECEIVE_BUFFER_PACKETS, clock, {
        sendAck: (ackNo, info) => this.sendAck(ackNo, info),
        sendNak: (ranges) => this.sendControl(ControlType.nak, 0, 0, encodeLossReport(ranges)),
        deliver: (p) => out.deliver(p),
      }, now);
      this.clock = clock;
      this.sender = null;
    } else {
      this.receiver = null;
      this.clock = null;
      this.sender = new Sender({
        isn: opts.isn, capacity: opts.sendBufferPackets ?? SEND_BUFFER_PACKETS, peerFlowWindow: opts.peerFlowWindow,
        peerLatencyMs: opts.sndLatencyMs, dstSocketId: opts.peerSocketId, startTime: now,
      }, {
        sendData: (header, payload) => this.emit([header, payload]),
        sendAckAck: (ackNo) => this.sendControl(ControlType.ackAck, 0, ackNo, EMPTY_CIF),
        sendDropRequest: (msgNo, range) => this.sendControl(ControlType.dropRequest, 0, msgNo, encodeDropRequest(range)),
      });
    }
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  get socketId(): number {
    return this.opts.socketId;
  }

  /** Bytes queued for the peer and not yet acknowledged (sender role). */
  get pendingBytes(): number {
    return this.sender?.bufferedBytes ?? 0;
  }

  handlePacket(pkt: SrtPacket, now: number): void {
    if (this.closedFlag) return;
    this.now = now;
    this.lastHeard = now;
    try {
      if (pkt.isControl) this.onControl(pkt, now);
      else this.onData(pkt, now);
    } catch (err) {
      // A malformed control body from an established peer: ignored like libsrt does, never fatal.
      if (!isOnAirError(err)) throw err;
    }
  }

  /** Queues one payload for the peer (sender role). False when the send buffer is full. */
  write(payload: Buffer, now: number): boolean {
    if (this.closedFlag || !this.sender) return false;
    this.now = now;
    let data = payload;
    let keyFlag: 0 | 1 | 2 = 0;
    if (this.opts.crypto) {
      const enc = this.opts.crypto.encrypt(this.sender.upcomingSeq, payload);
      data = enc.payload;
      keyFlag = enc.keyFlag;
      if (enc.announce) this.announceKeys(enc.announce, now);
    }
    const ok = this.sender.queue(data, keyFlag, now);
    this.sender.tick(now);
    return ok;
  }

  tick(now: number): void {
    if (this.closedFlag) return;
    this.now = now;
    if (now - this.lastHeard > (this.opts.peerIdleTimeoutUs ?? DEFAULT_PEER_IDLE_TIMEOUT_US)) {
      this.finish('peer idle timeout', true);
      return;
    }
    this.receiver?.tick(now);
    this.sender?.tick(now);
    const rtt = (this.receiver ?? this.sender!).rtt.rttUs;
    if (this.pendingKm && now - this.pendingKm.sentAt >= Math.max(KM_RETRY_MIN_US, 1.5 * rtt)) {
      if (this.pendingKm.retries >= KM_RETRIES) this.pendingKm = null;
      else this.resendKm(now);
    }
    if (now - this.lastSent >= KEEPALIVE_INTERVAL_US) this.sendControl(ControlType.keepalive, 0, 0, EMPTY_CIF);
  }

  /** Ends the connection from our side: a shutdown goes to the peer. Idempotent. */
  close(reason: string): void {
    if (this.closedFlag) return;
    this.sendControl(ControlType.shutdown, 0, 0, EMPTY_CIF);
    this.finish(reason, false);
  }

  stats(now: number): SrtConnectionStats {
    const rtt = this.receiver?.rtt ?? this.sender!.rtt;
    return {
      role: this.opts.role,
      rttMs: round1(rtt.rttUs / 1000),
      rttVarMs: round1(rtt.rttVarUs / 1000),
      latencyMs: this.opts.role === 'receiver' ? this.opts.rcvLatencyMs : this.opts.sndLatencyMs,
      encrypted: this.opts.crypto !== null,
      keyRefreshes: this.keyRefreshes,
      receive: this.receiver ? receiveStats(this.receiver.stats, this.receiver.bufferedPackets, this.receiver.bufferSpanUs()) : null,
      send: this.sender ? sendStats(this.sender.stats, this.sender.bufferedPackets, this.sender.bufferDelay(now)) : null,
    };
  }

  private onData(pkt: DataPacket, now: number): void {
    if (!this.receiver) return; // a player sending media: ignored
    let payload = pkt.payload;
    if (pkt.keyFlag !== 0) {
      const clear = this.opts.crypto?.decrypt(pkt.seq, pkt.keyFlag, payload) ?? null;
      if (!clear) {
        this.receiver.stats.undecryptable++;
        return;
      }
      payload = clear;
    }
    this.receiver.onData(pkt.seq, pkt.timestamp, pkt.retransmitted, payload, now);
  }

  private onControl(pkt: ControlPacket, now: number): void {
    switch (pkt.type) {
      case ControlType.ack:
        this.sender?.onAck(pkt.typeSpecific, decodeAck(pkt.cif), now);
        break;
      case ControlType.ackAck: {
        const rtt = this.receiver?.onAckAck(pkt.typeSpecific, now) ?? -1;
        if (rtt >= 0) this.clock!.addDriftSample(pkt.timestamp, now, rtt);
        break;
      }
      case ControlType.nak:
        this.sender?.onNak(decodeLossReport(pkt.cif), now);
        break;
      case ControlType.dropRequest:
        this.receiver?.onDropRequest(decodeDropRequest(pkt.cif));
        break;
      case ControlType.shutdown:
        this.receiver?.drain();
        this.finish('peer shut down', true);
        break;
      case ControlType.ext:
        this.onExtension(pkt);
        break;
      default:
        break; // keepalive (lastHeard is updated), congestion warning, peer error, late handshakes
    }
  }

  /** After the handshake, UMSG_EXT carries key refresh: KMREQ from a sending peer, KMRSP to our KMREQ. */
  private onExtension(pkt: ControlPacket): void {
    if (pkt.subtype === ExtType.kmReq) {
      let state: number = KmState.noSecret;
      if (this.opts.crypto) {
        try {
          state = this.opts.crypto.acceptKeyMaterial(decodeKeyMaterial(pkt.cif));
          if (state === KmState.secured) this.keyRefreshes++;
        } catch (err) {
          if (!isOnAirError(err)) throw err;
          state = KmState.badSecret;
        }
      }
      this.sendControl(ControlType.ext, ExtType.kmRsp, 0, state === KmState.secured ? Buffer.from(pkt.cif) : encodeKmState(state));
    } else if (pkt.subtype === ExtType.kmRsp && this.pendingKm) {
      // A one-word KMRSP is a failure report (the peer keeps its old key); anything else echoes our KM.
      if (pkt.cif.length !== 4 || decodeKmState(pkt.cif) === KmState.secured) this.keyRefreshes++;
      this.pendingKm = null;
    }
  }

  private announceKeys(km: KeyMaterialMessage, now: number): void {
    this.pendingKm = { body: encodeKeyMaterial(km), sentAt: now, retries: -1 };
    this.resendKm(now);
  }

  private resendKm(now: number): void {
    const km = this.pendingKm!;
    km.sentAt = now;
    km.retries++;
    this.sendControl(ControlType.ext, ExtType.kmReq, 0, km.body);
  }

  private sendAck(ackNo: number, info: AckInfo): void {
    const body = info.rttUs === undefined ? encodeLightAck(info.ackSeq) : encodeFullAck(info as Required<AckInfo>);
    this.sendControl(ControlType.ack, 0, ackNo, body);
  }

  private sendControl(type: number, subtype: number, typeSpecific: number, cif: Buffer): void {
    this.emit(encodeControl({ type, subtype, typeSpecific, timestamp: this.timestamp(), dstSocketId: this.opts.peerSocketId }, cif));
  }

  private emit(datagram: Buffer | readonly [Buffer, Buffer]): void {
    this.lastSent = this.now;
    this.out.send(datagram);
  }

  /** Our wire timestamp: µs since the connection started, modulo 2^32. */
  private timestamp(): number {
    return Math.max(0, Math.round(this.now - this.startTime)) % 0x1_0000_0000;
  }

  private finish(reason: string, byPeer: boolean): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.pendingKm = null;
    this.out.closed(reason, byPeer);
  }
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
