import { OnAirError } from '../../../core/errors.js';
import { seqAdd, seqNext, seqOffset } from '../sequence.js';

/**
 * The receive window: `capacity` slots indexed by sequence number modulo capacity (a power of two, so the
 * 31-bit wrap lands on the same slot), starting at `headSeq`, the next packet to hand on. Holds payload
 * views and their play times; no copies.
 */
export class ReceiveBuffer {
  private readonly payloads: (Buffer | undefined)[];
  private readonly playTimes: Float64Array;
  private readonly mask: number;
  private head: number;
  private held = 0;

  constructor(firstSeq: number, readonly capacity: number) {
    if (capacity <= 0 || (capacity & (capacity - 1)) !== 0) {
      throw new OnAirError('ONAIR_ERR_CONFIG', `receive buffer of ${capacity} packets is not a power of two`);
    }
    this.payloads = new Array<Buffer | undefined>(capacity);
    this.playTimes = new Float64Array(capacity);
    this.mask = capacity - 1;
    this.head = firstSeq;
  }

  get headSeq(): number {
    return this.head;
  }

  /** Packets held (received, not yet handed on). */
  get count(): number {
    return this.held;
  }

  has(seq: number): boolean {
    return this.payloads[seq & this.mask] !== undefined;
  }

  /** The caller checked that `seq` lies inside the window. */
  put(seq: number, payload: Buffer, playTime: number): void {
    const i = seq & this.mask;
    if (this.payloads[i] === undefined) this.held++;
    this.payloads[i] = payload;
    this.playTimes[i] = playTime;
  }

  playTimeAt(seq: number): number | undefined {
    const i = seq & this.mask;
    return this.payloads[i] === undefined ? undefined : this.playTimes[i];
  }

  /** Removes and returns the head packet (undefined when it is missing), advancing the head. */
  shift(): Buffer | undefined {
    const i = this.head & this.mask;
    const p = this.payloads[i];
    if (p !== undefined) {
      this.payloads[i] = undefined;
      this.held--;
    }
    this.head = seqNext(this.head);
    return p;
  }

  /** Advances the head over `n` slots, forgetting whatever they held. */
  skip(n: number): void {
    for (let k = 0; k < n; k++) this.shift();
  }

  /** First held sequence number in from..to, or null. */
  nextPresent(from: number, to: number): number | null {
    const n = seqOffset(from, to);
    for (let k = 0; k <= n && k < this.capacity; k++) {
      const s = seqAdd(from, k);
      if (this.payloads[s & this.mask] !== undefined) return s;
    }
    return null;
  }

  clear(): void {
    this.payloads.fill(undefined);
    this.held = 0;
  }
}
