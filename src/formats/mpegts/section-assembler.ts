import { OnAirError } from '../../core/errors.js';
import { crc32Mpeg2 } from './crc32.js';
import { MAX_PSI_SECTION_BYTES } from './limits.js';

/**
 * Reassembles the PSI sections of one PID from transport packet payloads (ISO/IEC 13818-1 §2.4.4): a
 * pointer_field in packets that start a section, sections spanning packets, several sections in one
 * packet, 0xFF stuffing after the last. Each complete section is CRC-checked before it is handed out.
 * Bounded: a section_length over MAX_PSI_SECTION_BYTES is refused before anything is buffered.
 */
export class SectionAssembler {
  private readonly buf = Buffer.allocUnsafe(MAX_PSI_SECTION_BYTES);
  private length = 0;
  private active = false;

  /**
   * Feeds one packet's payload. Calls `onSection` with a view of each complete, CRC-valid section (valid
   * during the call) and `onError` with each damaged one; never throws.
   */
  push(payload: Buffer, pusi: boolean, onSection: (s: Buffer) => void, onError: (e: OnAirError) => void): void {
    let at = 0;
    if (pusi) {
      if (payload.length < 1) return;
      const pointer = payload[0]!;
      at = 1;
      if (1 + pointer > payload.length) {
        this.active = false;
        onError(new OnAirError('ONAIR_ERR_MALFORMED', `PSI pointer_field ${pointer} past the packet`));
        return;
      }
      // The bytes before the pointer end the section in progress.
      if (this.active) this.append(payload, 1, 1 + pointer, onSection, onError);
      this.active = false;
      at = 1 + pointer;
      while (at < payload.length && payload[at] !== 0xff) {
        this.active = true;
        this.length = 0;
        at = this.append(payload, at, payload.length, onSection, onError);
      }
      return;
    }
    if (this.active) this.append(payload, 0, payload.length, onSection, onError);
  }

  /** Drops a section in progress (continuity error: its missing bytes will not come). */
  reset(): void {
    this.active = false;
    this.length = 0;
  }

  /** Appends payload[from..to) to the section in progress; returns where the section ended (or `to`). */
  private append(payload: Buffer, from: number, to: number, onSection: (s: Buffer) => void, onError: (e: OnAirError) => void): number {
    let at = from;
    // Header first, to learn the section's size before taking its body.
    while (this.length < 3 && at < to) this.buf[this.length++] = payload[at++]!;
    if (this.length < 3) return to;
    const total = 3 + (this.buf.readUInt16BE(1) & 0x0fff);
    if (total > MAX_PSI_SECTION_BYTES || total < 3 + 5 + 4) {
      this.active = false;
      onError(new OnAirError(total > MAX_PSI_SECTION_BYTES ? 'ONAIR_ERR_LIMIT' : 'ONAIR_ERR_MALFORMED', `PSI section of ${total} bytes (table ${this.buf[0]})`));
      return to;
    }
    const n = Math.min(total - this.length, to - at);
    payload.copy(this.buf, this.length, at, at + n);
    this.length += n;
    at += n;
    if (this.length < total) return at;
    this.active = false;
    const section = this.buf.subarray(0, total);
    if (crc32Mpeg2(section) !== 0) onError(new OnAirError('ONAIR_ERR_MALFORMED', `PSI section (table ${section[0]}) CRC mismatch`));
    else onSection(section);
    return at;
  }
}
