import type { AckInfo, LossRange } from '../packet/feedback.js';
import { LIGHT_ACK_PACKETS, MIN_NAK_INTERVAL_US, SYN_INTERVAL_US } from '../limits.js';
import { RttEstimator } from '../rtt-estimator.js';
import { seqNext, seqOffset, seqPrev } from '../sequence.js';
import { AckJournal } from './ack-journal.js';
import { LossList } from './loss-list.js';
import { ReceiveBuffer } from './receive-buffer.js';
import { ReceiverStats } from './receiver-stats.js';
import type { TsbpdClock } from './tsbpd-clock.js';

/** What the receiver asks its connection to send or hand on. */
export interface ReceiverOutput {
  /** A full ACK (`ackNo` goes in the header) or, with only `ackSeq`, a light ACK (ackNo 0). */
  sendAck(ackNo: number, info: AckInfo): void;
  sendNak(ranges: readonly LossRange[]): void;
  /** An in-order payload whose play time has come. */
  deliver(payload: Buffer): void;
}

/**
 * The receiving half of a live SRT connection (draft-sharabayko-srt 4.5-4.8, libsrt's live mode): loss
 * detection with an immediate NAK per new gap and periodic NAKs of the whole loss list every
 * (RTT + 4 RTTVar) / 2 (at least 20 ms); a full ACK every 10 ms and a light ACK every 64 packets between
 * them; RTT from ACKACK; a receive buffer released by TSBPD play time; and too-late drop: when the first
 * packet after a gap is due, the gap is given up and counted. Sans-IO: time comes in as `now` (µs).
 */
export class Receiver {
  readonly stats = new ReceiverStats();
  readonly rtt = new RttEstimator();
  private readonly buffer: ReceiveBuffer;
  private readonly loss = new LossList();
  private readonly journal = new AckJournal();
  /** Highest sequence number received (or the one before the first expected). */
  private maxSeq: number;
  private lastAckSeq: number;
  private lastAckAckSeq: number;
  private lastFullAckAt = -Infinity;
  private nextAckAt: number;
  private lastNakAt: number;
  private packetsSinceAck = 0;
  private lightAcks = 1;

  constructor(
    isn: number,
    capacity: number,
    private readonly clock: TsbpdClock,
    private readonly out: ReceiverOutput,
    now: number,
  ) {
    this.buffer = new ReceiveBuffer(isn, capacity);
    this.maxSeq = seqPrev(isn);
    this.lastAckSeq = isn;
    this.lastAckAckSeq = isn;
    this.nextAckAt = now + SYN_INTERVAL_US;
    this.lastNakAt = now;
  }

  /** Packets held, received or missing, between the delivery point and the highest received. */
  get bufferedPackets(): number {
    return Math.max(0, seqOffset(this.buffer.headSeq, this.maxSeq) + 1);
  }

  /** Play-time span from the next packet to hand on to the newest held (µs); 0 when empty. */
  bufferSpanUs(): number {
    const first = this.buffer.nextPresent(this.buffer.headSeq, this.maxSeq);
    const last = this.buffer.playTimeAt(this.maxSeq);
    return first === null || last === undefined ? 0 : Math.max(0, last - this.buffer.playTimeAt(first)!);
  }

  get lossCount(): number {
    return this.loss.size;
  }

  onData(seq: number, timestamp: number, retransmitted: boolean, payload: Buffer, now: number): void {
    this.stats.onPacket(payload.length, now);
    this.clock.observe(timestamp);
    const off = seqOffset(this.buffer.headSeq, seq);
    if (off < 0) return void this.stats.belated++;
    if (off >= this.buffer.capacity) return void this.stats.overflow++;
    if (this.buffer.has(seq)) return void this.stats.duplicates++;
    const ahead = seqOffset(this.maxSeq, seq);
    if (ahead > 0) {
      if (ahead > 1) {
        const gap = { from: seqNext(this.maxSeq), to: seqPrev(seq) };
        this.loss.append(gap.from, gap.to);
        this.stats.lost += ahead - 1;
        this.stats.naksSent++;
        this.out.sendNak([gap]);
      }
      this.maxSeq = seq;
    } else if (this.loss.remove(seq)) {
      if (retransmitted) this.stats.recoveredByRetransmit++;
      else this.stats.reordered++;
    }
    if (retransmitted) this.stats.retransmittedReceived++;
    this.buffer.put(seq, payload, this.clock.playTime(timestamp));
    if (++this.packetsSinceAck >= LIGHT_ACK_PACKETS * this.lightAcks) {
      this.lightAcks++;
      this.stats.lightAcksSent++;
      this.out.sendAck(0, { ackSeq: this.ackSeq() });
    }
  }

  /** Delivers what is due, drops what is too late, and sends the timed ACK and NAK. */
  tick(now: number): void {
    this.release(now);
    if (now >= this.nextAckAt) this.fullAck(now);
    // The interval follows the RTT as soon as it is measured (not only from the next report on).
    if (now - this.lastNakAt >= Math.max(MIN_NAK_INTERVAL_US, (this.rtt.rttUs + 4 * this.rtt.rttVarUs) / 2)) {
      if (this.loss.size > 0) {
        this.stats.naksSent++;
        this.out.sendNak(this.loss.entries());
      }
      this.lastNakAt = now;
    }
    this.stats.sample(now);
  }

  /** ACKACK for ACK number `ackNo` arrived; returns the RTT sample (µs) or -1 for an unknown number. */
  onAckAck(ackNo: number, now: number): number {
    const sent = this.journal.take(ackNo);
    if (!sent) return -1;
    const rtt = now - sent.sentAt;
    this.rtt.sample(rtt);
    if (seqOffset(this.lastAckAckSeq, sent.ackSeq) > 0) this.lastAckAckSeq = sent.ackSeq;
    return rtt;
  }

  /** The sender gave up on `from..to`: stop asking for it; a missing head is skipped at once. */
  onDropRequest(range: LossRange): void {
    if (seqOffset(range.from, range.to) < 0 || seqOffset(range.to, this.maxSeq) < 0) return;
    this.loss.removeRange(range.from, range.to);
  }

  /** The peer shut down: everything received is handed on now, in order, gaps skipped (and counted). */
  drain(): void {
    while (seqOffset(this.buffer.headSeq, this.maxSeq) >= 0) {
      const p = this.buffer.shift();
      if (p) {
        this.out.deliver(p);
        this.stats.delivered++;
      } else {
        this.stats.dropped++;
      }
    }
    this.loss.clear();
  }

  private ackSeq(): number {
    return this.loss.first() ?? seqNext(this.maxSeq);
  }

  private fullAck(now: number): void {
    this.nextAckAt = now + SYN_INTERVAL_US;
    this.packetsSinceAck = 0;
    this.lightAcks = 1;
    const ackSeq = this.ackSeq();
    const advanced = seqOffset(this.lastAckSeq, ackSeq) > 0;
    const unconfirmed = ackSeq !== this.lastAckAckSeq;
    if (!advanced && !(unconfirmed && now - this.lastFullAckAt >= this.rtt.rttUs + 4 * this.rtt.rttVarUs)) return;
    this.lastAckSeq = ackSeq;
    this.lastFullAckAt = now;
    const ackNo = this.journal.record(ackSeq, now);
    this.stats.acksSent++;
    this.out.sendAck(ackNo, {
      ackSeq, rttUs: this.rtt.rttUs, rttVarUs: this.rtt.rttVarUs,
      availableBuffer: this.buffer.capacity - this.bufferedPackets,
      packetsPerSecond: this.stats.packetsPerSecond, linkCapacity: this.stats.packetsPerSecond,
      bytesPerSecond: this.stats.bytesPerSecond,
    });
  }

  private release(now: number): void {
    for (;;) {
      const head = this.buffer.headSeq;
      if (seqOffset(head, this.maxSeq) < 0) return; // nothing received beyond the head
      const due = this.buffer.playTimeAt(head);
      if (due !== undefined) {
        if (due > now) return;
        this.out.deliver(this.buffer.shift()!);
        this.stats.delivered++;
        continue;
      }
      if (this.loss.first() !== head) {
        // Missing but no longer asked for: the sender dropped it (drop request).
        this.buffer.skip(1);
        this.stats.dropped++;
        continue;
      }
      const next = this.buffer.nextPresent(seqNext(this.loss.entries()[0]!.to), this.maxSeq);
      if (next === null) return;
      if (this.buffer.playTimeAt(next)! > now) return;
      const skipped = seqOffset(head, next);
      this.loss.removeUpTo(seqPrev(next));
      this.buffer.skip(skipped);
      this.stats.dropped += skipped;
    }
  }
}
