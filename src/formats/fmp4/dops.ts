import { OnAirError } from '../../core/errors.js';
import { ByteReader } from '../../core/byte-reader.js';
import { type BoxNode, box } from './box-tree.js';

/**
 * 'dOps' (Opus Specific Box, "Encapsulation of Opus in ISO Base Media File Format" §4.3.2). Its payload
 * is the OpusHead of RFC 7845 §5.1 re-encoded: Version 0 instead of 1, big-endian instead of
 * little-endian, no "OpusHead" magic. Enhanced RTMP carries the OpusHead, so convert when it is given.
 */
const OPUS_HEAD_MAGIC = Buffer.from('OpusHead', 'latin1');

export function opusHeadToDops(config: Buffer): Buffer {
  if (!config.subarray(0, 8).equals(OPUS_HEAD_MAGIC)) return config; // already a dOps payload
  const r = new ByteReader(config, 8);
  r.u8('OpusHead version');
  const channels = r.u8('OpusHead channel count');
  const preSkip = readLe16(r);
  const inputRate = r.u32le('OpusHead input sample rate');
  const gain = (readLe16(r) << 16) >> 16;
  const family = r.u8('OpusHead mapping family');
  const out = Buffer.alloc(11 + (family !== 0 ? 2 + channels : 0));
  out.writeUInt8(0, 0);
  out.writeUInt8(channels, 1);
  out.writeUInt16BE(preSkip, 2);
  out.writeUInt32BE(inputRate, 4);
  out.writeInt16BE(gain, 8);
  out.writeUInt8(family, 10);
  if (family !== 0) {
    out.writeUInt8(r.u8('OpusHead stream count'), 11);
    out.writeUInt8(r.u8('OpusHead coupled count'), 12);
    r.bytes(channels, 'OpusHead channel mapping').copy(out, 13);
  }
  return out;
}

function readLe16(r: ByteReader): number {
  const lo = r.u8();
  return lo | (r.u8() << 8);
}

export function dopsBox(config: Buffer): BoxNode {
  const payload = opusHeadToDops(config);
  if (payload.length < 11) throw new OnAirError('ONAIR_ERR_TRUNCATED', `dOps payload of ${payload.length} bytes`);
  return box('dOps', payload);
}
