import type { MediaPacket } from '../../core/media-packet.js';
import { tagBodyHeader } from '../../formats/flv/index.js';
import { chunkBody } from '../../protocols/rtmp/index.js';
import { Csid } from '../../protocols/rtmp/session/server-session.js';

export interface SharedMessage {
  /** The FLV tag body (header bytes + codec payload): what a fallback full serialization needs. */
  readonly body: Buffer;
  /** The body chunked at the server's chunk size with fmt3 separators: shared by every player. */
  readonly chunked: Buffer;
  readonly csid: number;
}

/**
 * One serialization per packet for every RTMP player: the tag body and its chunked form are built on
 * first use and remembered by packet identity (a WeakMap, so they go when the GOP cache and the
 * players' socket buffers let go of the packet). All players share one outgoing chunk size.
 */
export class SharedChunks {
  private readonly cache = new WeakMap<MediaPacket, SharedMessage>();

  constructor(readonly chunkSize: number) {}

  get(p: MediaPacket): SharedMessage {
    let m = this.cache.get(p);
    if (!m) {
      const header = tagBodyHeader(p);
      const body = Buffer.concat([header, p.data], header.length + p.data.length);
      const csid = p.kind === 'video' ? Csid.video : Csid.audio;
      m = { body, chunked: chunkBody(body, csid, this.chunkSize), csid };
      this.cache.set(p, m);
    }
    return m;
  }
}
