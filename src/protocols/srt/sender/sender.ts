import type { AckInfo, LossRange } from '../packet/feedback.js';
import { encodeDataHeader, setRetransmitted, type KeyFlagValue } from '../packet/packet.js';
import { MIN_PACING_RATE_BYTES, MSGNO_MAX, PACING_OVERHEAD, SENDER_DROP_MIN_US, SRT_HEADER_SIZE, SYN_INTERVAL_US, UDP_IP_OVERHEAD } from '../limits.js';
import { RttEstimator } from '../rtt-estimator.js';
import { seqAdd, seqNext, seqOffset, seqPrev } from '../sequence.js';
import { InputRateMeter } from './input-rate.js';
import { SendBuffer, type SentPacket } from './send-buffer.js';
import { SenderStats } from './sender-stats.js';

export interface SenderOutput {
  sendData(header: Buffer, payload: Buffer): void;
  sendAckAck(ackNo: number): void;
  sendDropRequest(msgNo: number, range: LossRange): void;
}

export interface SenderOptions {
  readonly isn: number;
  readonly capacity: number;
  /** The peer's flow window from the handshake (packets). */
  readonly peerFlowWindow: number;
  /** The latency the peer applies to our packets (ms): the too-late drop horizon. */
  readonly peerLatencyMs: number;
  readonly dstSocketId: number;
  /** µs on our clock when the connection started: wire timestamps count from it. */
  readonly startTime: number;
}

/** Pacing lets at most this much of a burst go at once: two SYN intervals of the rate. */
const BURST_US = 2 * SYN_INTERVAL_US;

/**
 * The sending half of a live SRT connection (libsrt live congestion control): every payload becomes one
 * packet stamped with the time it was queued; packets go out paced at the input rate + 25 %, NAKed ones
 * first; ACKs release them and get an ACKACK; a packet still unacknowledged
 * max(peer latency, 1 s) + 20 ms after it was queued is dropped, and a NAK for it answered with a drop
 * request. The flow window (the peer's free buffer) caps what is in flight.
 * Resends of one packet are at least SRTT - 4 RTTVar apart (libsrt's efficient retransmission). As in libsrt's
 * live mode with periodic NAK reports, nothing is resent blindly: a lost last packet is recovered only once
 * a later one reveals the gap.
 */
export class Sender {
  readonly stats = new SenderStats();
  readonly rtt = new RttEstimator();
  private readonly buffer: SendBuffer;
  private readonly input = new InputRateMeter();
  private readonly resend: number[] = [];
  /** Oldest packet not yet acknowledged (or dropped). */
  private oldest: number;
  /** First packet never sent. */
  private unsent: number;
  /** Sequence number of the next packet queued. */
  private nextSeq: number;
  private nextMsgNo = 1;
  private peerWindow: number;
  private tokens = 0;
  private lastRefill = -1;
  private readonly dropAfterUs: number;

  constructor(private readonly opts: SenderOptions, private readonly out: SenderOutput) {
    this.buffer = new SendBuffer(opts.capacity);
    this.oldest = this.unsent = this.nextSeq = opts.isn;
    this.peerWindow = Math.max(1, Math.min(opts.peerFlowWindow, opts.capacity));
    this.dropAfterUs = Math.max(opts.peerLatencyMs * 1000, SENDER_DROP_MIN_US) + 2 * SYN_INTERVAL_US;
  }

  /** Packets queued and not yet acknowledged. */
  get bufferedPackets(): number {
    return seqOffset(this.oldest, this.nextSeq);
  }

  get bufferedBytes(): number {
    return this.buffer.bytes;
  }

  /** How long the oldest unacknowledged packet has been waiting (µs). */
  bufferDelay(now: number): number {
    const p = this.buffer.get(this.oldest);
    return p && this.bufferedPackets > 0 ? now - p.originTime : 0;
  }

  /**
   * Queues one payload (already encrypted when `keyFlag` says so); false when the send buffer is full,
   * which only happens when the peer acknowledges nothing for longer than the drop horizon allows.
   */
  queue(payload: Buffer, keyFlag: KeyFlagValue, now: number): boolean {
    if (this.bufferedPackets >= this.opts.capacity) {
      this.stats.rejectedFull++;
      return false;
    }
    const seq = this.nextSeq;
    const msgNo = this.nextMsgNo;
    this.nextMsgNo = msgNo >= MSGNO_MAX ? 1 : msgNo + 1;
    const header = encodeDataHeader({ seq, msgNo, keyFlag, timestamp: now - this.opts.startTime, dstSocketId: this.opts.dstSocketId });
    this.buffer.put(seq, { header, payload, msgNo, originTime: now, lastSentAt: -1, lastResentAt: -1, pendingResend: false });
    this.nextSeq = seqNext(seq);
    this.input.add(payload.length + SRT_HEADER_SIZE + UDP_IP_OVERHEAD, now);
    return true;
  }

  /** The sequence number the next queued payload gets (the cipher's counter uses it). */
  get upcomingSeq(): number {
    return this.nextSeq;
  }

  onAck(ackNo: number, info: AckInfo, now: number): void {
    if (ackNo > 0) this.out.sendAckAck(ackNo);
    if (info.rttUs !== undefined) this.rtt.adopt(info.rttUs, info.rttVarUs ?? 0);
    if (info.availableBuffer !== undefined) this.peerWindow = Math.max(1, Math.min(info.availableBuffer, this.opts.peerFlowWindow));
    const acked = seqOffset(this.oldest, info.ackSeq);
    if (acked <= 0 || seqOffset(info.ackSeq, this.unsent) < 0) return; // old, or acknowledging what we never sent
    for (let k = 0; k < acked; k++) this.buffer.release(seqAdd(this.oldest, k));
    this.oldest = info.ackSeq;
    this.stats.acked += acked;
    this.flush(now);
  }

  onNak(ranges: readonly LossRange[], now: number): void {
    for (const r of ranges) {
      if (seqOffset(r.from, r.to) < 0) continue;
      if (seqOffset(r.from, this.oldest) > 0) {
        // Part of it is gone already (acknowledged or dropped): tell the receiver to stop asking.
        const goneTo = seqOffset(r.to, this.oldest) > 0 ? r.to : seqPrev(this.oldest);
        this.out.sendDropRequest(0, { from: r.from, to: goneTo });
        this.stats.dropRequestsSent++;
      }
      const from = seqOffset(r.from, this.oldest) > 0 ? this.oldest : r.from;
      const to = seqOffset(r.to, this.unsent) > 0 ? r.to : seqPrev(this.unsent);
      for (let s = from, n = seqOffset(from, to); n >= 0; n--, s = seqNext(s)) {
        const p = this.buffer.get(s);
        if (p && !p.pendingResend) {
          p.pendingResend = true;
          this.resend.push(s);
        }
      }
    }
    this.stats.naksReceived++;
    this.flush(now);
  }

  /** Drops what is too late, then sends what pacing and the flow window allow. */
  tick(now: number): void {
    this.dropTooLate(now);
    this.flush(now);
  }

  private flush(now: number): void {
    this.refill(now);
    while (this.tokens > 0) {
      const s = this.resend.shift();
      if (s === undefined) break;
      const p = this.buffer.get(s);
      if (!p || !p.pendingResend || seqOffset(this.oldest, s) < 0) continue;
      p.pendingResend = false;
      // libsrt's efficient retransmission (SRTO_RETRANSMITALGO 1): a resend still in flight is not repeated
      // for a NAK that may have been sent before it arrived.
      if (p.lastResentAt >= 0 && now - p.lastResentAt < this.rtt.rttUs - 4 * this.rtt.rttVarUs) continue;
      setRetransmitted(p.header, true);
      p.lastResentAt = now;
      this.transmit(p, now);
      this.stats.retransmitted++;
    }
    while (this.tokens > 0 && seqOffset(this.unsent, this.nextSeq) > 0 && seqOffset(this.oldest, this.unsent) < this.peerWindow) {
      const p = this.buffer.get(this.unsent);
      this.unsent = seqNext(this.unsent);
      if (!p) continue;
      this.transmit(p, now);
      this.stats.sent++;
    }
  }

  private transmit(p: SentPacket, now: number): void {
    p.lastSentAt = now;
    this.tokens -= p.payload.length + SRT_HEADER_SIZE + UDP_IP_OVERHEAD;
    this.stats.bytesSent += p.payload.length;
    this.out.sendData(p.header, p.payload);
  }

  private refill(now: number): void {
    const rate = Math.max(MIN_PACING_RATE_BYTES, this.input.bytesPerSecond(now) * PACING_OVERHEAD) / 1_000_000;
    if (this.lastRefill < 0) this.lastRefill = now;
    const burst = Math.max(rate * BURST_US, 2 * 1500);
    this.tokens = Math.min(burst, this.tokens + (now - this.lastRefill) * rate);
    this.lastRefill = now;
    this.stats.pacingBytesPerSecond = Math.round(rate * 1_000_000);
  }

  private dropTooLate(now: number): void {
    let dropped = 0;
    while (seqOffset(this.oldest, this.nextSeq) > 0) {
      const p = this.buffer.get(this.oldest);
      if (p && now - p.originTime <= this.dropAfterUs) break;
      this.buffer.release(this.oldest);
      if (this.unsent === this.oldest) this.unsent = seqNext(this.unsent);
      this.oldest = seqNext(this.oldest);
      dropped++;
    }
    this.stats.dropped += dropped;
  }
}
