import { checkChunkSize } from '../messages/set-chunk-size.js';
import { basicHeaderSize, checkCsid, writeBasicHeader } from './basic-header.js';

/**
 * FAN-OUT PRIMITIVE. The chunked body of a message: `payload` with a fmt3 basic header before every
 * continuation chunk (spec 5.3.1). It depends only on (payload, csid, chunkSize), not on timestamps or
 * a player's header state, so one copy serves every player with that chunk size:
 *
 *   const body = chunkBody(payload, csid, chunkSize);                  // once per message and chunk size
 *   const head = fmt0Header(csid, typeId, streamId, timestamp, payload.length);
 *   if (head) socket.writev([head, body]); else socket.write(writer.write({ ...msg, payload }));
 *
 * Valid only when the message needs no extended timestamp (then `fmt0Header` returns null), since
 * the extension would be repeated after each of these basic headers. When the payload fits one chunk
 * the payload itself is returned (no copy).
 */
export function chunkBody(payload: Buffer, csid: number, chunkSize: number): Buffer {
  checkCsid(csid);
  checkChunkSize(chunkSize);
  if (payload.length <= chunkSize) return payload;
  const basic = basicHeaderSize(csid);
  const continuations = Math.ceil(payload.length / chunkSize) - 1;
  const out = Buffer.allocUnsafe(payload.length + continuations * basic);
  let at = payload.copy(out, 0, 0, chunkSize);
  for (let off = chunkSize; off < payload.length; off += chunkSize) {
    at = writeBasicHeader(out, at, 3, csid);
    at += payload.copy(out, at, off, Math.min(off + chunkSize, payload.length));
  }
  return out;
}
