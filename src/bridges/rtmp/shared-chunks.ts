import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { asEcmaArray, encodeAmf0, type AmfObject } from '../../formats/amf/index.js';
import { tagBodyHeader } from '../../formats/flv/index.js';
import { chunkBody, fmt0Header, MessageType } from '../../protocols/rtmp/index.js';
import { Csid } from '../../protocols/rtmp/session/server-session.js';

/**
 * At most this many distinct (timestamp, stream id) serializations are kept per message: players rebased at the
 * same keyframe share one; a rarer cohort gets its own copy each time (one copy per message, like a fresh player).
 */
const MAX_COHORTS_PER_MESSAGE = 8;

/** Distinct queues combined per flush round: about one per cohort of each stream flushed in that round. */
const MAX_COMBINATIONS_PER_ROUND = 16;

export class SharedMessage {
  readonly csid: number;
  readonly typeId: number;
  private cohorts: Map<number, Buffer | null> | undefined;
  // Fan-out asks for the same cohort many times in a row: remember the last answer.
  private lastKey = -1;
  private lastWire: Buffer | null = null;

  constructor(
    /** The FLV tag body (header bytes + codec payload): what a fallback full serialization needs. */
    readonly body: Buffer,
    /** The body chunked at the server's chunk size with fmt3 separators: shared by every player. */
    readonly chunked: Buffer,
    kind: 'audio' | 'video',
  ) {
    this.csid = kind === 'video' ? Csid.video : Csid.audio;
    this.typeId = kind === 'video' ? MessageType.VIDEO : MessageType.AUDIO;
  }

  /**
   * The whole message as a player at `timestamp` on message stream `streamId` must receive it: a fmt0 first-chunk
   * header (no per-connection compression state) followed by the shared chunked body, in one buffer so a player
   * costs one write per message. Players whose timelines were rebased at the same keyframe (everyone who joined
   * during one GOP) get the same Buffer. Null when an extended timestamp is needed: it repeats on every
   * continuation chunk, which the shared body cannot carry.
   */
  wire(timestamp: number, streamId: number): Buffer | null {
    const key = timestamp * 16 + (streamId & 15);
    if (key === this.lastKey) return this.lastWire;
    let w = this.cohorts?.get(key);
    if (w === undefined) {
      const header = fmt0Header(this.csid, this.typeId, streamId, timestamp, this.body.length);
      w = header && Buffer.concat([header, this.chunked], header.length + this.chunked.length);
      if (streamId < 16) {
        this.cohorts ??= new Map();
        if (this.cohorts.size < MAX_COHORTS_PER_MESSAGE) this.cohorts.set(key, w);
      }
    }
    this.lastKey = key;
    this.lastWire = w;
    return w;
  }
}

/**
 * One serialization per packet for every RTMP player: the tag body, its chunked form and the wire form per
 * cohort are built on first use and remembered by packet identity (a WeakMap, so they go when the GOP cache
 * and the players' socket buffers let go of the packet). All players share one outgoing chunk size.
 */
export class SharedChunks {
  private readonly cache = new WeakMap<MediaPacket, SharedMessage>();
  private readonly metadataCache = new WeakMap<StreamMetadata, Buffer>();
  private readonly publishMetadataCache = new WeakMap<StreamMetadata, Buffer>();
  // Every player of a stream asks for the same packet in turn: skip the WeakMap for the repeats.
  private lastPacket: MediaPacket | undefined;
  private lastMessage: SharedMessage | undefined;
  private readonly combinations: { parts: Buffer[]; wire: Buffer }[] = [];

  constructor(readonly chunkSize: number) {}

  /** The onMetaData data message body for `m`, encoded once for every player of the stream. */
  metadata(m: StreamMetadata): Buffer {
    let payload = this.metadataCache.get(m);
    if (!payload) {
      payload = encodeAmf0('onMetaData', asEcmaArray({ ...(m as AmfObject) }));
      this.metadataCache.set(m, payload);
    }
    return payload;
  }

  /**
   * The `@setDataFrame onMetaData` data message a publisher sends (re-push), encoded once for every target of
   * the stream; the receiving server stores it and hands players the plain onMetaData.
   */
  publishMetadata(m: StreamMetadata): Buffer {
    let payload = this.publishMetadataCache.get(m);
    if (!payload) {
      payload = encodeAmf0('@setDataFrame', 'onMetaData', asEcmaArray({ ...(m as AmfObject) }));
      this.publishMetadataCache.set(m, payload);
    }
    return payload;
  }

  get(p: MediaPacket): SharedMessage {
    if (p === this.lastPacket) return this.lastMessage!;
    let m = this.cache.get(p);
    if (!m) {
      const header = tagBodyHeader(p);
      const body = Buffer.concat([header, p.data], header.length + p.data.length);
      const csid = p.kind === 'video' ? Csid.video : Csid.audio;
      m = new SharedMessage(body, chunkBody(body, csid, this.chunkSize), p.kind);
      this.cache.set(p, m);
    }
    this.lastPacket = p;
    this.lastMessage = m;
    return m;
  }

  /**
   * The queued messages `parts` as one buffer. Players of one cohort queue the same buffers between two flushes,
   * so the concatenation is made once per round and shared: each player then costs one plain write.
   */
  combine(parts: readonly Buffer[]): Buffer {
    search: for (const c of this.combinations) {
      if (c.parts.length !== parts.length) continue;
      for (let i = 0; i < parts.length; i++) if (c.parts[i] !== parts[i]) continue search;
      return c.wire;
    }
    const wire = Buffer.concat(parts);
    if (this.combinations.length < MAX_COMBINATIONS_PER_ROUND) this.combinations.push({ parts: [...parts], wire });
    return wire;
  }

  /** End of a flush round: the combinations are not reused (they would only pin buffers). */
  endRound(): void {
    this.combinations.length = 0;
  }
}
