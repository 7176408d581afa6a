import { OnAirError } from '../../../core/errors.js';
import { MAX_STREAM_ID_LENGTH } from '../limits.js';

/** SRT flags of HSREQ/HSRSP (libsrt SRT_OPT_*). */
export const SrtFlag = {
  tsbpdSnd: 0x01,
  tsbpdRcv: 0x02,
  haiCrypt: 0x04,
  tlPktDrop: 0x08,
  nakReport: 0x10,
  rexmitFlag: 0x20,
  stream: 0x40,
  packetFilter: 0x80,
} as const;

/** What we announce: live mode, TSBPD both ways, too-late drop, periodic NAK, and the two legacy flags. */
export const OUR_SRT_FLAGS = SrtFlag.tsbpdSnd | SrtFlag.tsbpdRcv | SrtFlag.haiCrypt | SrtFlag.tlPktDrop | SrtFlag.nakReport | SrtFlag.rexmitFlag;

/** The libsrt version we speak as (1.5.1, Debian 12's): HSv5, stream ID, reverse KMX; no AES-GCM. */
export const OUR_SRT_VERSION = 0x01_05_01;

/** HSv5 needs 1.3.0 at least (integrated handshake). */
export const MIN_SRT_VERSION_HSV5 = 0x01_03_00;

export interface SrtHsMessage {
  readonly srtVersion: number;
  readonly flags: number;
  /** HSv5: the sender's wish for what it receives (upper 16 bits), ms. */
  readonly rcvLatencyMs: number;
  /** HSv5: the sender's wish for what the peer receives from it (lower 16 bits), ms. */
  readonly sndLatencyMs: number;
}

/** HSREQ/HSRSP body: version, flags, latencies (3 words; a legacy 4th reserved word is ignored). */
export function decodeSrtHs(body: Buffer): SrtHsMessage {
  if (body.length < 12) throw new OnAirError('ONAIR_ERR_TRUNCATED', `HSREQ of ${body.length} bytes, need 12`);
  return {
    srtVersion: body.readUInt32BE(0),
    flags: body.readUInt32BE(4),
    rcvLatencyMs: body.readUInt16BE(8),
    sndLatencyMs: body.readUInt16BE(10),
  };
}

export function encodeSrtHs(m: SrtHsMessage): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt32BE(m.srtVersion >>> 0, 0);
  out.writeUInt32BE(m.flags >>> 0, 4);
  out.writeUInt16BE(m.rcvLatencyMs & 0xffff, 8);
  out.writeUInt16BE(m.sndLatencyMs & 0xffff, 10);
  return out;
}

/**
 * String extension blocks (stream ID, congestion controller): NUL-padded to whole words, and each word
 * byte-reversed on the wire (libsrt stores the string in host-order words, then swaps every control word).
 * Returns UTF-8 text without the padding; refuses more than MAX_STREAM_ID_LENGTH bytes.
 */
export function decodeExtString(body: Buffer): string {
  if (body.length > MAX_STREAM_ID_LENGTH) {
    throw new OnAirError('ONAIR_ERR_LIMIT', `handshake string of ${body.length} bytes exceeds ${MAX_STREAM_ID_LENGTH}`);
  }
  const bytes = Buffer.allocUnsafe(body.length);
  for (let i = 0; i + 3 < body.length; i += 4) {
    bytes[i] = body[i + 3]!;
    bytes[i + 1] = body[i + 2]!;
    bytes[i + 2] = body[i + 1]!;
    bytes[i + 3] = body[i]!;
  }
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.toString('utf8', 0, end);
}

export function encodeExtString(text: string): Buffer {
  const raw = Buffer.from(text, 'utf8');
  if (raw.length > MAX_STREAM_ID_LENGTH) {
    throw new OnAirError('ONAIR_ERR_LIMIT', `handshake string of ${raw.length} bytes exceeds ${MAX_STREAM_ID_LENGTH}`);
  }
  const out = Buffer.alloc(Math.ceil(raw.length / 4) * 4);
  raw.copy(out);
  for (let i = 0; i < out.length; i += 4) {
    const a = out[i]!;
    const b = out[i + 1]!;
    out[i] = out[i + 3]!;
    out[i + 1] = out[i + 2]!;
    out[i + 2] = b;
    out[i + 3] = a;
  }
  return out;
}
