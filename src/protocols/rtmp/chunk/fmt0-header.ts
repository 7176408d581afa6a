import { basicHeaderSize, writeBasicHeader } from './basic-header.js';

const EXT_TS_MARKER = 0xffffff;

/**
 * A self-contained first-chunk header (fmt 0: absolute timestamp, length, type, stream id) that depends on
 * no per-connection compression state, so one copy serves every player that sends the same message with the
 * same timestamp and stream id. Returns null when the timestamp needs the extended field, which then also
 * repeats on every continuation chunk (the shared body cannot carry it).
 */
export function fmt0Header(csid: number, typeId: number, streamId: number, timestamp: number, length: number): Buffer | null {
  const ts = timestamp >>> 0;
  if (ts >= EXT_TS_MARKER) return null;
  const buf = Buffer.allocUnsafe(basicHeaderSize(csid) + 11);
  let at = writeBasicHeader(buf, 0, 0, csid);
  buf.writeUIntBE(ts, at, 3);
  buf.writeUIntBE(length, at + 3, 3);
  buf[at + 6] = typeId;
  buf.writeUInt32LE(streamId, at + 7); // the message stream id is little-endian (spec 5.3.1.2.1)
  at += 11;
  return buf;
}
