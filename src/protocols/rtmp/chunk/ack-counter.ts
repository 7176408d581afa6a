/**
 * Decides when to send an Acknowledgement (type 3, spec 5.4.3): after every `windowSize` bytes
 * received since the last one, as set by the peer's Window Acknowledgement Size (type 5). The sequence
 * number is the total received mod 2^32 (it wraps after 4 GiB: a long publish passes that in hours).
 */
export class AckCounter {
  private window: number;
  /** Total bytes received, unwrapped (a double counts exactly to 2^53). */
  private total = 0;
  private lastAck = 0;

  /** `windowSize` 0 = the peer asked for none yet: never due. */
  constructor(windowSize = 0) {
    this.window = windowSize;
  }

  get windowSize(): number {
    return this.window;
  }

  /** Bytes received mod 2^32, the value an Acknowledgement carries. */
  get sequenceNumber(): number {
    return this.total % 0x1_0000_0000;
  }

  /** From the peer's Window Acknowledgement Size; counting restarts from the bytes received so far. */
  setWindowSize(size: number): void {
    this.window = size;
    this.lastAck = this.total;
  }

  /**
   * Counts `n` received bytes. Returns the sequence number to acknowledge when an Acknowledgement is
   * due, else null. One call never asks for more than one Acknowledgement, however many windows passed.
   */
  add(n: number): number | null {
    this.total += n;
    if (this.window <= 0 || this.total - this.lastAck < this.window) return null;
    this.lastAck = this.total;
    return this.sequenceNumber;
  }
}
