import { OnAirError } from '../../../core/errors.js';
import { MessageType } from './message-types.js';

/** One message carried inside an Aggregate. */
export interface AggregateSubMessage {
  typeId: number;
  /** The aggregate's stream id: the tags' own stream id field is always 0 in FLV and is ignored. */
  streamId: number;
  /** Re-based: aggregate timestamp + (tag timestamp - first tag timestamp), mod 2^32 (spec 7.1.6). */
  timestamp: number;
  /** Zero-copy view into the aggregate's payload. */
  payload: Buffer;
}

/** FLV tag header: type, 24-bit size, 24-bit timestamp + 8-bit extension, 24-bit stream id. */
const TAG_HEADER_SIZE = 11;
const BACK_POINTER_SIZE = 4;

/**
 * Only audio, video and data may ride in an aggregate (spec 7.1.6 lists "audio, video or data"); a
 * nested aggregate would let a peer make a recursive caller loop, and commands must not bypass the
 * command path.
 */
const ALLOWED_TYPES: ReadonlySet<number> = new Set([
  MessageType.AUDIO, MessageType.VIDEO, MessageType.DATA_AMF0, MessageType.DATA_AMF3,
]);

/**
 * Splits an Aggregate message (type 22, spec 7.1.6): a run of FLV tags (header, body, back pointer =
 * 11 + body size). Bounded by the payload itself: every size is checked to fit before it is used and
 * every back pointer must be exact, so a lying aggregate yields ONAIR_ERR_MALFORMED, never a read past
 * its end. An empty aggregate gives no messages.
 */
export function splitAggregate(payload: Buffer, timestamp: number, streamId: number): AggregateSubMessage[] {
  const out: AggregateSubMessage[] = [];
  let pos = 0;
  let firstTagTs = 0;
  while (pos < payload.length) {
    if (payload.length - pos < TAG_HEADER_SIZE) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `aggregate: ${payload.length - pos} trailing bytes, no tag header`);
    }
    const typeId = payload[pos]! & 0x1f; // upper bits: FLV "filter"/reserved, not part of the type
    const size = payload.readUIntBE(pos + 1, 3);
    const tagTs = (payload.readUIntBE(pos + 4, 3) | (payload[pos + 7]! << 24)) >>> 0;
    if (!ALLOWED_TYPES.has(typeId)) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `aggregate: sub-message type ${typeId} not allowed`);
    }
    const bodyAt = pos + TAG_HEADER_SIZE;
    const end = bodyAt + size + BACK_POINTER_SIZE;
    if (end > payload.length) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `aggregate: tag of ${size} bytes overruns the message`);
    }
    const backPointer = payload.readUInt32BE(bodyAt + size);
    if (backPointer !== TAG_HEADER_SIZE + size) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `aggregate: back pointer ${backPointer}, expected ${TAG_HEADER_SIZE + size}`);
    }
    if (out.length === 0) firstTagTs = tagTs;
    out.push({
      typeId,
      streamId,
      timestamp: (timestamp + tagTs - firstTagTs) >>> 0,
      payload: payload.subarray(bodyAt, bodyAt + size),
    });
    pos = end;
  }
  return out;
}

/** Builds an aggregate body from sub-messages (for tests and for relaying to peers that want one). */
export function encodeAggregate(messages: readonly { typeId: number; timestamp: number; payload: Buffer }[]): Buffer {
  const total = messages.reduce((n, m) => n + TAG_HEADER_SIZE + m.payload.length + BACK_POINTER_SIZE, 0);
  const out = Buffer.alloc(total);
  let pos = 0;
  for (const m of messages) {
    const ts = m.timestamp >>> 0;
    out[pos] = m.typeId;
    out.writeUIntBE(m.payload.length, pos + 1, 3);
    out.writeUIntBE(ts & 0xffffff, pos + 4, 3);
    out[pos + 7] = ts >>> 24;
    // stream id bytes 8..10 stay 0 (FLV)
    m.payload.copy(out, pos + TAG_HEADER_SIZE);
    pos += TAG_HEADER_SIZE + m.payload.length;
    out.writeUInt32BE(TAG_HEADER_SIZE + m.payload.length, pos);
    pos += BACK_POINTER_SIZE;
  }
  return out;
}
