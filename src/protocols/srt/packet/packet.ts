import { OnAirError } from '../../../core/errors.js';
import { MSGNO_MAX, SEQ_MAX, SRT_HEADER_SIZE } from '../limits.js';

/** Control packet types (draft-sharabayko-srt 3.2, libsrt UDTMessageType). */
export const ControlType = {
  handshake: 0,
  keepalive: 1,
  ack: 2,
  nak: 3,
  congestionWarning: 4,
  shutdown: 5,
  ackAck: 6,
  dropRequest: 7,
  peerError: 8,
  /** User-defined type: the subtype says which SRT extension message (HSv4 HSREQ, KMREQ refresh, ...). */
  ext: 0x7fff,
} as const;

/** Position of a data packet in its message (the FF bits). Live mode sends every packet as `solo`. */
export const PacketPosition = { middle: 0, last: 1, first: 2, solo: 3 } as const;

/** The KK bits: which stream key encrypted a data packet. */
export const KeyFlag = { none: 0, even: 1, odd: 2 } as const;
export type KeyFlagValue = 0 | 1 | 2;

export interface DataPacket {
  readonly isControl: false;
  readonly seq: number;
  readonly position: number;
  readonly inOrder: boolean;
  /** 3 (both keys) is valid only in control packets and is refused on decode. */
  readonly keyFlag: KeyFlagValue;
  readonly retransmitted: boolean;
  readonly msgNo: number;
  readonly timestamp: number;
  readonly dstSocketId: number;
  /** A view into the datagram (zero-copy). */
  readonly payload: Buffer;
}

export interface ControlPacket {
  readonly isControl: true;
  readonly type: number;
  readonly subtype: number;
  readonly typeSpecific: number;
  readonly timestamp: number;
  readonly dstSocketId: number;
  /** Control information field: a view into the datagram. */
  readonly cif: Buffer;
}

export type SrtPacket = DataPacket | ControlPacket;

/** Decodes one datagram. Throws ONAIR_ERR_TRUNCATED below 16 bytes, ONAIR_ERR_MALFORMED on KK = 3 in data. */
export function decodePacket(buf: Buffer): SrtPacket {
  if (buf.length < SRT_HEADER_SIZE) {
    throw new OnAirError('ONAIR_ERR_TRUNCATED', `srt packet of ${buf.length} bytes is shorter than its 16-byte header`);
  }
  const w0 = buf.readUInt32BE(0);
  const w1 = buf.readUInt32BE(4);
  const timestamp = buf.readUInt32BE(8);
  const dstSocketId = buf.readUInt32BE(12);
  if (w0 & 0x8000_0000) {
    return {
      isControl: true, type: (w0 >>> 16) & 0x7fff, subtype: w0 & 0xffff, typeSpecific: w1, timestamp, dstSocketId,
      cif: buf.subarray(SRT_HEADER_SIZE),
    };
  }
  const keyFlag = (w1 >>> 27) & 3;
  if (keyFlag === 3) throw new OnAirError('ONAIR_ERR_MALFORMED', 'srt data packet with both key flags set');
  return {
    isControl: false,
    seq: w0,
    position: w1 >>> 30,
    inOrder: (w1 & 0x2000_0000) !== 0,
    keyFlag: keyFlag as KeyFlagValue,
    retransmitted: (w1 & 0x0400_0000) !== 0,
    msgNo: w1 & MSGNO_MAX,
    timestamp,
    dstSocketId,
    payload: buf.subarray(SRT_HEADER_SIZE),
  };
}

export interface DataHeaderFields {
  seq: number;
  position?: number;
  inOrder?: boolean;
  keyFlag?: KeyFlagValue;
  retransmitted?: boolean;
  msgNo: number;
  timestamp: number;
  dstSocketId: number;
}

/** Writes a data packet header (16 bytes) into `into` (or a new buffer); the payload follows separately. */
export function encodeDataHeader(h: DataHeaderFields, into: Buffer = Buffer.allocUnsafe(SRT_HEADER_SIZE)): Buffer {
  checkField('sequence number', h.seq, SEQ_MAX);
  checkField('message number', h.msgNo, MSGNO_MAX);
  const w1 = ((h.position ?? PacketPosition.solo) & 3) * 0x4000_0000
    + (h.inOrder ? 0x2000_0000 : 0)
    + ((h.keyFlag ?? 0) & 3) * 0x0800_0000
    + (h.retransmitted ? 0x0400_0000 : 0)
    + h.msgNo;
  into.writeUInt32BE(h.seq, 0);
  into.writeUInt32BE(w1, 4);
  into.writeUInt32BE(h.timestamp >>> 0, 8);
  into.writeUInt32BE(h.dstSocketId >>> 0, 12);
  return into;
}

/** Sets or clears the retransmitted (R) flag of an encoded data header in place. */
export function setRetransmitted(header: Buffer, on: boolean): void {
  header[4] = on ? header[4]! | 0x04 : header[4]! & ~0x04;
}

export interface ControlFields {
  type: number;
  subtype?: number;
  typeSpecific?: number;
  timestamp: number;
  dstSocketId: number;
}

/** Encodes a control packet: header plus control information field. */
export function encodeControl(c: ControlFields, cif?: Buffer): Buffer {
  checkField('control type', c.type, 0x7fff);
  checkField('control subtype', c.subtype ?? 0, 0xffff);
  const out = Buffer.allocUnsafe(SRT_HEADER_SIZE + (cif?.length ?? 0));
  out.writeUInt32BE(0x8000_0000 + c.type * 0x1_0000 + (c.subtype ?? 0), 0);
  out.writeUInt32BE((c.typeSpecific ?? 0) >>> 0, 4);
  out.writeUInt32BE(c.timestamp >>> 0, 8);
  out.writeUInt32BE(c.dstSocketId >>> 0, 12);
  cif?.copy(out, SRT_HEADER_SIZE);
  return out;
}

function checkField(what: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new OnAirError('ONAIR_ERR_LIMIT', `srt ${what} ${value} is outside 0..${max}`);
  }
}
