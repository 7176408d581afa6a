import { OnAirError } from '../../core/errors.js';
import { TS_HEADER_SIZE, TS_PACKET_SIZE } from './limits.js';

/** The fields of one transport packet header and its adaptation field that the demuxer uses (§2.4.3.2-5). */
export interface TsPacketHeader {
  pid: number;
  /** payload_unit_start_indicator: a PES or a PSI section (after pointer_field) starts in this packet. */
  pusi: boolean;
  /** transport_error_indicator: a demodulator flagged the packet as damaged. */
  transportError: boolean;
  cc: number;
  hasPayload: boolean;
  /** Offset of the payload inside the packet (after the header and any adaptation field). */
  payloadOffset: number;
  /** discontinuity_indicator: the continuity counter (and time base) may jump here without an error. */
  discontinuity: boolean;
  randomAccess: boolean;
  /** PCR base in 90 kHz units, when present. Read for stats only: timing follows PTS/DTS. */
  pcr: number | undefined;
}

/**
 * Reads the header of the packet at `buf[at..at+188)` into `out` (reused by the caller: no allocation per
 * packet). The sync byte is the framer's concern. Throws MALFORMED when the adaptation field overruns the
 * packet or a packet claims neither adaptation field nor payload.
 */
export function readTsPacketHeader(buf: Buffer, at: number, out: TsPacketHeader): TsPacketHeader {
  const b1 = buf[at + 1]!;
  const b3 = buf[at + 3]!;
  out.transportError = (b1 & 0x80) !== 0;
  out.pusi = (b1 & 0x40) !== 0;
  out.pid = ((b1 & 0x1f) << 8) | buf[at + 2]!;
  out.cc = b3 & 0x0f;
  const afc = (b3 >> 4) & 3;
  if (afc === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', `TS packet on PID ${out.pid} with adaptation_field_control 0`);
  out.hasPayload = (afc & 1) !== 0;
  out.discontinuity = false;
  out.randomAccess = false;
  out.pcr = undefined;
  let offset = TS_HEADER_SIZE;
  if (afc & 2) {
    const len = buf[at + 4]!;
    // 183 with no payload, 182 at most before a payload (§2.4.3.5).
    if (len > (out.hasPayload ? 182 : 183)) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `adaptation_field_length ${len} on PID ${out.pid}`);
    }
    if (len > 0) {
      const flags = buf[at + 5]!;
      out.discontinuity = (flags & 0x80) !== 0;
      out.randomAccess = (flags & 0x40) !== 0;
      if (flags & 0x10 && len >= 7) out.pcr = buf.readUInt32BE(at + 6) * 2 + (buf[at + 10]! >> 7);
    }
    offset += 1 + len;
  }
  out.payloadOffset = offset;
  if (out.hasPayload && offset >= TS_PACKET_SIZE) out.hasPayload = false;
  return out;
}

export function emptyTsPacketHeader(): TsPacketHeader {
  return {
    pid: 0, pusi: false, transportError: false, cc: 0, hasPayload: false, payloadOffset: TS_HEADER_SIZE,
    discontinuity: false, randomAccess: false, pcr: undefined,
  };
}
