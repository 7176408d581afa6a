import { OnAirError } from '../../../core/errors.js';

/** One queued packet: its encoded header (R flag flipped in place for resends) and payload. */
export interface SentPacket {
  readonly header: Buffer;
  readonly payload: Buffer;
  readonly msgNo: number;
  /** When it was queued (µs): its wire timestamp and its age for too-late drop. */
  readonly originTime: number;
  /** Last time it went out; -1 while never sent. */
  lastSentAt: number;
  /** Last time it was resent; -1 while never resent. */
  lastResentAt: number;
  /** Asked for again by a NAK and not yet resent. */
  pendingResend: boolean;
}

/**
 * The send window: packets from the oldest unacknowledged one on, in slots indexed by sequence number
 * modulo capacity (a power of two). The sender decides what to drop; this only stores.
 */
export class SendBuffer {
  private readonly slots: (SentPacket | undefined)[];
  private readonly mask: number;
  private held = 0;
  private heldBytes = 0;

  constructor(readonly capacity: number) {
    if (capacity <= 0 || (capacity & (capacity - 1)) !== 0) {
      throw new OnAirError('ONAIR_ERR_CONFIG', `send buffer of ${capacity} packets is not a power of two`);
    }
    this.slots = new Array<SentPacket | undefined>(capacity);
    this.mask = capacity - 1;
  }

  get count(): number {
    return this.held;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  get(seq: number): SentPacket | undefined {
    return this.slots[seq & this.mask];
  }

  put(seq: number, p: SentPacket): void {
    const i = seq & this.mask;
    if (this.slots[i]) this.release(seq);
    this.slots[i] = p;
    this.held++;
    this.heldBytes += p.payload.length;
  }

  release(seq: number): SentPacket | undefined {
    const i = seq & this.mask;
    const p = this.slots[i];
    if (p) {
      this.slots[i] = undefined;
      this.held--;
      this.heldBytes -= p.payload.length;
    }
    return p;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.held = 0;
    this.heldBytes = 0;
  }
}
