/** ACKs remembered for RTT measurement: at 100 full ACKs a second, 256 cover 2.5 s of round trips. */
const JOURNAL_SIZE = 256;
/** ACK numbers are 31-bit counters starting at 1 (libsrt CAckNo). */
const ACK_NO_MAX = 0x7fff_ffff;

export interface SentAck {
  readonly ackSeq: number;
  readonly sentAt: number;
}

/** The full ACKs we sent, by ACK number, so an ACKACK gives an RTT sample (libsrt CACKWindow). */
export class AckJournal {
  private readonly numbers = new Int32Array(JOURNAL_SIZE).fill(-1);
  private readonly seqs = new Int32Array(JOURNAL_SIZE);
  private readonly times = new Float64Array(JOURNAL_SIZE);
  private last = 0;

  record(ackSeq: number, now: number): number {
    this.last = this.last >= ACK_NO_MAX ? 1 : this.last + 1;
    const i = this.last % JOURNAL_SIZE;
    this.numbers[i] = this.last;
    this.seqs[i] = ackSeq;
    this.times[i] = now;
    return this.last;
  }

  /** The ACK with this number, once (a repeated ACKACK gives nothing). */
  take(ackNo: number): SentAck | null {
    const i = ackNo % JOURNAL_SIZE;
    if (ackNo <= 0 || this.numbers[i] !== ackNo) return null;
    this.numbers[i] = -1;
    return { ackSeq: this.seqs[i]!, sentAt: this.times[i]! };
  }
}
