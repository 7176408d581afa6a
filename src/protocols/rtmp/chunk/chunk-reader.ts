import { OnAirError } from '../../../core/errors.js';
import { PayloadSlab } from '../../../core/payload-slab.js';
import { takeAll } from '../../../core/scratch-list.js';
import {
  DEFAULT_MAX_CHUNK_STREAMS, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_PARTIAL_BYTES, RTMP_INITIAL_CHUNK_SIZE,
} from '../limits.js';
import { decodeAbort } from '../messages/abort.js';
import { MessageType } from '../messages/message-types.js';
import { decodeSetChunkSize } from '../messages/set-chunk-size.js';
import type { RtmpMessage } from './rtmp-message.js';

export interface ChunkReaderOptions {
  /** Largest message length a peer may declare (default DEFAULT_MAX_MESSAGE_SIZE, 8 MiB). */
  maxMessageSize?: number;
  /** Most chunk stream ids one peer may use (default DEFAULT_MAX_CHUNK_STREAMS, 64). */
  maxChunkStreams?: number;
  /** Most bytes held in partial messages at once (default DEFAULT_MAX_PARTIAL_BYTES, 16 MiB). */
  maxPartialBytes?: number;
  /**
   * The caller reuses the pushed buffer once `push` returns (a socket reading into one shared buffer), so a
   * single-chunk message is copied instead of emitted as a view of it. Default false.
   */
  inputIsReused?: boolean;
}

/** Per chunk stream state (spec 5.3.1.2: later headers are deltas against it). */
interface ChunkStream {
  csid: number;
  timestamp: number;
  /** The delta a fmt3 new message adds; after fmt0 it is the fmt0 timestamp (spec 5.3.1.2.4, ffmpeg). */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** The last fmt0/1/2 header used 0xFFFFFF, so fmt3 chunks carry the 4-byte field `extField`. */
  hasExt: boolean;
  extField: number;
  /** Message being reassembled (allocated once at its checked length), null between messages. */
  partial: Buffer | null;
  filled: number;
}

/** Largest chunk header: 3-byte basic header + 11-byte fmt0 header + 4-byte extended timestamp. */
const MAX_HEADER_SIZE = 18;
const EXT_TS_MARKER = 0xffffff;
const NEED_MORE = -1;

/**
 * Incremental RTMP chunk stream reader (spec 5.3), sans-IO: `push` the bytes as they arrive and get
 * the messages they complete. Any split of the input gives the same messages.
 *
 * Set Chunk Size and Abort are applied here, as soon as they complete, because they change how the
 * following bytes are framed; they are still returned so the session can see them.
 *
 * Extended timestamps: read on fmt0/1/2 headers when the 24-bit field is 0xFFFFFF, and on fmt3 chunks
 * of such a message when the next 4 bytes equal the expected value (ffmpeg writes it on every
 * continuation; GStreamer's rtmp2 and librtmp before 2015 omit it; ffmpeg `libavformat/rtmppkt.c`). To decide, the reader waits for those
 * 4 bytes, so a last continuation shorter than 4 bytes is emitted only once more bytes arrive.
 *
 * Memory: a single-chunk message is a zero-copy view of the pushed buffer when it arrived whole (a copy
 * with `inputIsReused`); a multi-chunk message is copied once into a buffer allocated at its declared
 * length after that length passed maxMessageSize and maxPartialBytes, carved from this reader's PayloadSlab
 * (a video frame of a few KiB shares a block with its neighbours instead of getting a backing store of its
 * own). Between pushes at most 18 header bytes are kept.
 *
 * Throws OnAirError (ONAIR_ERR_LIMIT / ONAIR_ERR_MALFORMED); after a throw the reader is unusable and
 * every later push throws ONAIR_ERR_STATE: the caller closes the connection.
 */
export class ChunkReader {
  private readonly maxMessageSize: number;
  private readonly maxChunkStreams: number;
  private readonly maxPartialBytes: number;
  private readonly inputIsReused: boolean;
  private readonly streams = new Map<number, ChunkStream>();
  /** Where multi-chunk messages are assembled: this connection's frames, in arrival order. */
  private readonly payloads = new PayloadSlab();
  private chunkSize = RTMP_INITIAL_CHUNK_SIZE;
  private partialBytes = 0;
  private received = 0;
  private failed: OnAirError | null = null;

  /** Header bytes carried over from the previous push. */
  private readonly stash = Buffer.alloc(MAX_HEADER_SIZE);
  private stashLength = 0;
  /** Chunk body being read: its stream and the body bytes of this chunk still to come. */
  private current: ChunkStream | null = null;
  private chunkRemaining = 0;

  /** Messages completed by the current push (copied out when it returns). */
  private readonly scratch: RtmpMessage[] = [];
  /** Scratch result of parseHeader (avoids an object per chunk). */
  private hdrStream: ChunkStream | null = null;
  private hdrNewMessage = false;

  constructor(options: ChunkReaderOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.maxChunkStreams = options.maxChunkStreams ?? DEFAULT_MAX_CHUNK_STREAMS;
    this.maxPartialBytes = options.maxPartialBytes ?? DEFAULT_MAX_PARTIAL_BYTES;
    this.inputIsReused = options.inputIsReused ?? false;
  }

  /** Total bytes pushed so far (not wrapped; AckCounter does the 32-bit sequence number). */
  get bytesReceived(): number {
    return this.received;
  }

  /** The peer's current chunk size (its last Set Chunk Size, 128 before one). */
  get peerChunkSize(): number {
    return this.chunkSize;
  }

  push(bytes: Buffer): readonly RtmpMessage[] {
    if (this.failed) throw new OnAirError('ONAIR_ERR_STATE', `chunk reader failed earlier: ${this.failed.message}`);
    this.received += bytes.length;
    const out = this.scratch;
    try {
      this.consume(bytes, 0, out);
    } catch (err) {
      out.length = 0;
      // Framing is lost after any error. A non-OnAirError would be our bug: rethrown untouched.
      this.failed = err instanceof OnAirError ? err : new OnAirError('ONAIR_ERR_STATE', String(err), { cause: err });
      throw err;
    }
    // A publisher's message header often arrives in a read of its own: such pushes return no messages and
    // allocate nothing.
    return takeAll(out);
  }

  private consume(bytes: Buffer, start: number, out: RtmpMessage[]): void {
    let pos = start;
    const end = bytes.length;
    while (pos < end) {
      if (this.current !== null) {
        pos = this.readBody(bytes, pos, out);
        continue;
      }
      // Header: complete it from the stash if a previous push ended inside one.
      let headerEnd: number;
      if (this.stashLength > 0) {
        const had = this.stashLength;
        const take = Math.min(MAX_HEADER_SIZE - had, end - pos);
        bytes.copy(this.stash, had, pos, pos + take);
        const used = this.parseHeader(this.stash, 0, had + take);
        if (used === NEED_MORE) {
          this.stashLength = had + take;
          return;
        }
        this.stashLength = 0;
        if (used < had) {
          // A fmt3 header waited for 4 bytes to look for an extended timestamp that was absent: the
          // stash already holds the start of the body. Those few bytes are read before `bytes`.
          const leftover = Buffer.from(this.stash.subarray(used, had));
          this.consume(leftover, this.startChunk(leftover, 0, out), out);
          continue;
        }
        headerEnd = pos + used - had;
      } else {
        const used = this.parseHeader(bytes, pos, end);
        if (used === NEED_MORE) {
          this.stashLength = bytes.copy(this.stash, 0, pos, end);
          return;
        }
        headerEnd = pos + used;
      }
      pos = this.startChunk(bytes, headerEnd, out);
    }
  }

  /** After a header: emits a whole single-chunk message zero-copy, or sets up body reading. */
  private startChunk(bytes: Buffer, pos: number, out: RtmpMessage[]): number {
    const cs = this.hdrStream!;
    if (this.hdrNewMessage) {
      if (cs.length <= this.chunkSize && bytes.length - pos >= cs.length) {
        let payload: Buffer;
        if (this.inputIsReused) {
          // Small copies come from Node's shared allocation pool: no new backing store per message. (Not
          // Buffer.from: its generic path reads .buffer, which makes V8 materialise the source's ArrayBuffer.)
          payload = Buffer.allocUnsafe(cs.length);
          bytes.copy(payload, 0, pos, pos + cs.length);
        } else {
          payload = bytes.subarray(pos, pos + cs.length);
        }
        this.emit(cs, payload, out);
        return pos + cs.length;
      }
      if (this.partialBytes + cs.length > this.maxPartialBytes) {
        throw new OnAirError('ONAIR_ERR_LIMIT',
          `partial messages would hold ${this.partialBytes + cs.length} bytes, limit ${this.maxPartialBytes}`);
      }
      cs.partial = this.payloads.alloc(cs.length); // every byte is written before the message is emitted
      cs.filled = 0;
      this.partialBytes += cs.length;
    }
    this.current = cs;
    this.chunkRemaining = Math.min(this.chunkSize, cs.length - cs.filled);
    return pos;
  }

  private readBody(bytes: Buffer, pos: number, out: RtmpMessage[]): number {
    const cs = this.current!;
    const n = Math.min(this.chunkRemaining, bytes.length - pos);
    bytes.copy(cs.partial!, cs.filled, pos, pos + n);
    cs.filled += n;
    this.chunkRemaining -= n;
    if (this.chunkRemaining === 0) {
      this.current = null;
      if (cs.filled === cs.length) {
        const payload = cs.partial!;
        cs.partial = null;
        this.partialBytes -= cs.length;
        this.emit(cs, payload, out);
      }
    }
    return pos + n;
  }

  private emit(cs: ChunkStream, payload: Buffer, out: RtmpMessage[]): void {
    const msg: RtmpMessage = {
      typeId: cs.typeId, streamId: cs.streamId, timestamp: cs.timestamp, csid: cs.csid, payload,
    };
    out.push(msg);
    if (cs.typeId === MessageType.SET_CHUNK_SIZE) {
      this.chunkSize = decodeSetChunkSize(payload).chunkSize;
    } else if (cs.typeId === MessageType.ABORT) {
      const target = this.streams.get(decodeAbort(payload).csid);
      if (target?.partial) {
        this.partialBytes -= target.length;
        target.partial = null;
        target.filled = 0;
      }
    }
  }

  /**
   * Parses one chunk header at buf[pos..end) and applies it to its chunk stream. Returns the header
   * length, or NEED_MORE (state untouched) when the header is not complete yet.
   */
  private parseHeader(buf: Buffer, pos: number, end: number): number {
    if (end - pos < 1) return NEED_MORE;
    const b0 = buf[pos]!;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let at = pos + 1;
    if (csid === 0) {
      if (end - at < 1) return NEED_MORE;
      csid = 64 + buf[at]!;
      at += 1;
    } else if (csid === 1) {
      if (end - at < 2) return NEED_MORE;
      csid = 64 + buf[at]! + buf[at + 1]! * 256;
      at += 2;
    }
    let cs = this.streams.get(csid);
    if (!cs && fmt !== 0) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `fmt ${fmt} chunk on chunk stream ${csid} with no previous header`);
    }
    if (fmt === 3) return this.parseFmt3(cs!, buf, at, end, pos);

    const headerSize = fmt === 0 ? 11 : fmt === 1 ? 7 : 3;
    if (end - at < headerSize) return NEED_MORE;
    const field = buf.readUIntBE(at, 3);
    const hasExt = field === EXT_TS_MARKER;
    if (hasExt && end - at < headerSize + 4) return NEED_MORE;
    const value = hasExt ? buf.readUInt32BE(at + headerSize) : field;
    const length = fmt === 2 ? (cs?.length ?? 0) : buf.readUIntBE(at + 3, 3);

    if (!cs) {
      if (this.streams.size >= this.maxChunkStreams) {
        throw new OnAirError('ONAIR_ERR_LIMIT', `more than ${this.maxChunkStreams} chunk streams`);
      }
      cs = {
        csid, timestamp: 0, delta: 0, length: 0, typeId: 0, streamId: 0, hasExt: false, extField: 0,
        partial: null, filled: 0,
      };
      this.streams.set(csid, cs);
    }
    this.hdrStream = cs;
    cs.hasExt = hasExt;
    cs.extField = value;
    if (cs.partial) {
      // A full/medium header in the middle of a message: ffmpeg accepts it as a continuation when the
      // length agrees (and fails with "packet size mismatch" otherwise); so do we.
      if (fmt !== 2 && length !== cs.length) {
        throw new OnAirError('ONAIR_ERR_MALFORMED',
          `chunk stream ${csid}: length changed from ${cs.length} to ${length} mid-message`);
      }
      this.hdrNewMessage = false;
      return at + headerSize + (hasExt ? 4 : 0) - pos;
    }
    if (fmt !== 2) {
      if (length > this.maxMessageSize) {
        throw new OnAirError('ONAIR_ERR_LIMIT', `message length ${length} exceeds limit ${this.maxMessageSize}`);
      }
      cs.length = length;
      cs.typeId = buf[at + 6]!;
      if (fmt === 0) cs.streamId = buf.readUInt32LE(at + 7);
    }
    if (fmt === 0) {
      cs.timestamp = value;
      cs.delta = value;
    } else {
      cs.delta = value;
      cs.timestamp = (cs.timestamp + value) >>> 0;
    }
    this.hdrNewMessage = true;
    return at + headerSize + (hasExt ? 4 : 0) - pos;
  }

  private parseFmt3(cs: ChunkStream, buf: Buffer, at: number, end: number, pos: number): number {
    if (cs.hasExt) {
      if (end - at < 4) return NEED_MORE;
      if (buf.readUInt32BE(at) === cs.extField) at += 4;
    }
    this.hdrStream = cs;
    if (cs.partial) {
      this.hdrNewMessage = false;
    } else {
      cs.timestamp = (cs.timestamp + cs.delta) >>> 0;
      this.hdrNewMessage = true;
    }
    return at - pos;
  }
}
