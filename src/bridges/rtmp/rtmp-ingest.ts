import type { StreamMetadata } from '../../core/media-packet.js';
import { parseAudioTagBody, parseVideoTagBody } from '../../formats/flv/index.js';
import type { Publisher } from '../../hub/index.js';
import { MessageType, type RtmpMessage } from '../../protocols/rtmp/index.js';
import type { AmfObject } from '../../formats/amf/index.js';

/**
 * RTMP publisher -> hub: FLV tag bodies become MediaPackets (zero-copy views of the message payload),
 * onMetaData becomes stream metadata.
 */
export class RtmpIngest {
  /** Empty audio/video messages: some encoders send them as keep-alives; they carry nothing to relay. */
  emptyMessages = 0;

  constructor(readonly publisher: Publisher) {}

  onMedia(msg: RtmpMessage): void {
    if (msg.payload.length === 0) {
      this.emptyMessages++;
      return;
    }
    const packets = msg.typeId === MessageType.VIDEO
      ? parseVideoTagBody(msg.payload, msg.timestamp)
      : parseAudioTagBody(msg.payload, msg.timestamp);
    for (let i = 0; i < packets.length; i++) this.publisher.push(packets[i]!);
  }

  onMetadata(meta: AmfObject): void {
    this.publisher.setMetadata(sanitizeMetadata(meta));
  }
}

/** Keeps JSON-like values only, so metadata can be re-encoded to any output and shown in the API. */
export function sanitizeMetadata(meta: AmfObject): StreamMetadata {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}
