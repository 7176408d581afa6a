import { OnAirError } from '../../core/errors.js';
import { PES_INITIAL_CAPACITY } from './limits.js';

/**
 * Collects one PID's packet payloads into PES packets (ISO/IEC 13818-1 §2.4.3.6). A PES ends when its
 * declared PES_packet_length is reached or, when it declares 0 (unbounded video), at the next
 * payload_unit_start_indicator. Bounded by `maxBytes` whatever the peer declares: a PES that outgrows
 * it is dropped (typed error) and the PID waits for the next unit start. One buffer per PID, reused: a
 * completed PES is handed out as a view, valid until the next push.
 */
export class PesAssembler {
  private buf: Buffer;
  private length = 0;
  /** Whole PES size from PES_packet_length; 0 = unbounded; -1 = header not read yet. */
  private declared = -1;
  private active = false;

  /**
   * `emit` gets each complete PES (a view valid during the call); `onError` each PES dropped as truncated
   * or oversized.
   */
  constructor(
    private readonly maxBytes: number,
    private readonly emit: (pes: Buffer) => void,
    private readonly onError: (e: OnAirError) => void,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(PES_INITIAL_CAPACITY, maxBytes));
  }

  /** Feeds one packet's payload, `packet[start..end)`. Never throws. */
  push(packet: Buffer, start: number, end: number, pusi: boolean): void {
    if (pusi) {
      if (this.active) {
        if (this.declared <= 0) this.emit(this.buf.subarray(0, this.length));
        else this.onError(new OnAirError('ONAIR_ERR_TRUNCATED', `PES cut short: ${this.length} of ${this.declared} bytes`));
      }
      this.active = true;
      this.length = 0;
      this.declared = -1;
    }
    if (!this.active || end <= start) return;
    const want = this.length + (end - start);
    if (want > this.maxBytes) {
      this.drop();
      this.onError(new OnAirError('ONAIR_ERR_LIMIT', `PES of more than ${this.maxBytes} bytes`));
      return;
    }
    if (want > this.buf.length) this.grow(want);
    packet.copy(this.buf, this.length, start, end);
    this.length = want;
    if (this.declared < 0 && this.length >= 6) this.readDeclared();
    if (this.declared > 0 && this.length >= this.declared) {
      // Bytes after the declared end are not part of the PES (a muxer's stuffing): ignored.
      this.active = false;
      this.emit(this.buf.subarray(0, this.declared));
    }
  }

  /** End of input: an unbounded PES in progress is complete. */
  flush(): void {
    if (this.active && this.declared <= 0 && this.length > 0) this.emit(this.buf.subarray(0, this.length));
    this.drop();
  }

  /** Discards the PES in progress (continuity error: its missing bytes will not come). */
  drop(): void {
    this.active = false;
    this.length = 0;
    this.declared = -1;
  }

  get pendingBytes(): number {
    return this.active ? this.length : 0;
  }

  private readDeclared(): void {
    if (this.buf[0] !== 0 || this.buf[1] !== 0 || this.buf[2] !== 1) {
      this.drop();
      this.onError(new OnAirError('ONAIR_ERR_MALFORMED', 'PES without packet_start_code_prefix'));
      return;
    }
    const n = this.buf.readUInt16BE(4);
    this.declared = n === 0 ? 0 : 6 + n;
    if (this.declared > this.maxBytes) {
      this.drop();
      this.onError(new OnAirError('ONAIR_ERR_LIMIT', `PES_packet_length ${n} over ${this.maxBytes}`));
    } else if (this.declared > this.buf.length) this.grow(this.declared);
  }

  private grow(atLeast: number): void {
    let size = this.buf.length * 2;
    while (size < atLeast) size *= 2;
    const next = Buffer.allocUnsafe(Math.min(size, this.maxBytes));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}
