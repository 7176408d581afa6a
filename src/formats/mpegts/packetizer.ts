import { TS_PACKET_SIZE, TS_PAYLOAD_SIZE, TIMESTAMP_WRAP } from './limits.js';

/**
 * Splits one payload (a PES packet or a PSI section with its pointer_field) into 188-byte transport
 * packets (ISO/IEC 13818-1 §2.4.3.2-5). The first packet may carry an adaptation field with PCR and the
 * random_access_indicator; the last is filled by adaptation-field stuffing (§2.4.3.5: the only stuffing
 * allowed before a PES ends), except for PSI, which pads the section with 0xFF after it (§2.4.4).
 */

export interface PacketizeOptions {
  readonly pid: number;
  /** PCR base in 90 kHz units (extension written 0); set on the first packet only. */
  readonly pcr90k?: number;
  /** random_access_indicator (§2.4.3.5): the PES starts a video random access point. */
  readonly randomAccess?: boolean;
  /** PSI: fill the last packet's payload with 0xFF instead of adaptation-field stuffing. */
  readonly psiPadding?: boolean;
}

function firstAdaptationSize(o: PacketizeOptions): number {
  if (o.pcr90k !== undefined) return 2 + 6; // length, flags, PCR
  return o.randomAccess ? 2 : 0;
}

export function packetCount(payloadLength: number, o: PacketizeOptions): number {
  const first = TS_PAYLOAD_SIZE - firstAdaptationSize(o);
  return payloadLength <= first ? 1 : 1 + Math.ceil((payloadLength - first) / TS_PAYLOAD_SIZE);
}

/** Reads a list of Buffers as one byte stream without concatenating them. */
export class ChunkCursor {
  private i = 0;
  private off = 0;
  constructor(private readonly chunks: readonly Buffer[]) {}
  copyTo(out: Buffer, at: number, n: number): void {
    while (n > 0) {
      const c = this.chunks[this.i]!;
      const k = Math.min(n, c.length - this.off);
      c.copy(out, at, this.off, this.off + k);
      at += k;
      n -= k;
      this.off += k;
      if (this.off === c.length) {
        this.i++;
        this.off = 0;
      }
    }
  }
}

/**
 * Writes `packetCount(length, o)` packets at `at`; `cc` is the PID's continuity counter before the first
 * packet. Returns the counter after the last packet (it increments on every packet with payload, §2.4.3.3).
 */
export function packetize(out: Buffer, at: number, payload: ChunkCursor, length: number, o: PacketizeOptions, cc: number): number {
  let left = length;
  let first = true;
  while (first || left > 0) {
    const base = first ? firstAdaptationSize(o) : 0;
    const room = TS_PAYLOAD_SIZE - base;
    const n = Math.min(room, left);
    const stuffing = o.psiPadding ? 0 : room - n;
    const afSize = base + stuffing; // total adaptation field bytes including its length byte
    out.writeUInt8(0x47, at);
    out.writeUInt16BE((first ? 0x4000 : 0) | o.pid, at + 1); // payload_unit_start_indicator on the first
    out.writeUInt8((afSize > 0 ? 0x30 : 0x10) | cc, at + 3);
    let p = at + 4;
    if (afSize > 0) {
      out.writeUInt8(afSize - 1, p++); // adaptation_field_length counts the bytes after itself
      if (afSize > 1) {
        const hasPcr = first && o.pcr90k !== undefined;
        out.writeUInt8((first && o.randomAccess ? 0x40 : 0) | (hasPcr ? 0x10 : 0), p++);
        if (hasPcr) p = writePcr(out, p, o.pcr90k!);
        out.fill(0xff, p, at + 4 + afSize);
        p = at + 4 + afSize;
      }
    }
    payload.copyTo(out, p, n);
    if (o.psiPadding) out.fill(0xff, p + n, at + TS_PACKET_SIZE);
    left -= n;
    at += TS_PACKET_SIZE;
    cc = (cc + 1) & 0x0f;
    first = false;
  }
  return cc;
}

/** program_clock_reference_base (33 bits), 6 reserved '1' bits, extension (9 bits) = 0 (§2.4.3.5). */
function writePcr(out: Buffer, at: number, pcr90k: number): number {
  const base = ((Math.round(pcr90k) % TIMESTAMP_WRAP) + TIMESTAMP_WRAP) % TIMESTAMP_WRAP;
  out.writeUInt32BE(Math.floor(base / 2), at); // top 32 of 33 bits
  out.writeUInt8(((base % 2) << 7) | 0x7e, at + 4); // last base bit, reserved, extension bit 8 = 0
  out.writeUInt8(0, at + 5);
  return at + 6;
}
