import { OnAirError } from '../../../core/errors.js';
import { DEFAULT_WRITE_CHUNK_SIZE } from '../limits.js';
import { checkChunkSize } from '../messages/set-chunk-size.js';
import { basicHeaderSize, checkCsid, writeBasicHeader, type ChunkFormat } from './basic-header.js';
import type { OutgoingMessage } from './rtmp-message.js';

export interface ChunkWriterOptions {
  /** Our outgoing chunk size (default DEFAULT_WRITE_CHUNK_SIZE, 4096); announce it with Set Chunk Size. */
  chunkSize?: number;
}

/** The first-chunk header fields of a message, without its body (for the fan-out path). */
export interface MessageHeaderFields {
  csid: number;
  typeId: number;
  streamId: number;
  /** Milliseconds, taken mod 2^32. */
  timestamp: number;
  /** Payload length in bytes (< 2^24). */
  length: number;
}

/** What the peer's reader remembers per chunk stream; ours mirrors it to pick the smallest header. */
interface WriterStream {
  timestamp: number;
  /** Timestamp field of the last header: the delta a fmt3 new message would add (fmt0: the timestamp). */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
}

/** Header plan for one message: fmt, the 32-bit timestamp field value, and whether it needs the extension. */
interface Plan {
  fmt: ChunkFormat;
  field: number;
  ext: boolean;
}

const EXT_TS_MARKER = 0xffffff;
const MAX_MESSAGE_LENGTH = 0xffffff;

/**
 * Serialises messages into chunks (spec 5.3) with header compression, one writer per connection
 * (its per-csid state must match what that peer's reader remembers):
 * - fmt0 on first use of a csid, a stream id change, or a timestamp going back (incl. a 2^32 wrap);
 * - fmt1 when length or type changes; fmt2 when only the delta changes;
 * - fmt3 only when the delta truly repeats, never for a merely repeated absolute timestamp (rtmpdump and
 *   nginx-rtmp get this wrong; ffmpeg `libavformat/rtmppkt.c` gets it right). After fmt0 the "delta" is the fmt0 timestamp, as readers assume.
 * The header's timestamp field (timestamp for fmt0, delta otherwise) >= 0xFFFFFF is written as
 * 0xFFFFFF plus a 4-byte extended timestamp, repeated on every continuation chunk (ffmpeg requires it).
 */
export class ChunkWriter {
  private size: number;
  private readonly streams = new Map<number, WriterStream>();

  constructor(options: ChunkWriterOptions = {}) {
    this.size = options.chunkSize ?? DEFAULT_WRITE_CHUNK_SIZE;
    checkChunkSize(this.size);
  }

  get chunkSize(): number {
    return this.size;
  }

  /** Use after writing our Set Chunk Size message: every later message is chunked at `n` bytes. */
  setChunkSize(n: number): void {
    checkChunkSize(n);
    this.size = n;
  }

  /** The complete chunked bytes of one message. */
  write(msg: OutgoingMessage): Buffer {
    const length = msg.payload.length;
    const fields = { csid: msg.csid, typeId: msg.typeId, streamId: msg.streamId, timestamp: msg.timestamp, length };
    checkFields(fields);
    const plan = this.plan(fields);
    const basic = basicHeaderSize(msg.csid);
    const ext = plan.ext ? 4 : 0;
    const chunks = Math.max(1, Math.ceil(length / this.size));
    const out = Buffer.allocUnsafe(headerSize(basic, plan) + length + (chunks - 1) * (basic + ext));
    let at = writeHeader(out, 0, plan, fields);
    for (let off = 0; off < length; off += this.size) {
      if (off > 0) {
        at = writeBasicHeader(out, at, 3, msg.csid);
        if (plan.ext) at = out.writeUInt32BE(plan.field, at);
      }
      at += msg.payload.copy(out, at, off, Math.min(off + this.size, length));
    }
    this.commit(fields, plan);
    return out;
  }

  /** Forgets a chunk stream's state, so its next message gets a fmt0 header (e.g. after an Abort). */
  reset(csid?: number): void {
    if (csid === undefined) this.streams.clear();
    else this.streams.delete(csid);
  }

  private plan(f: MessageHeaderFields): Plan {
    const ts = f.timestamp >>> 0;
    const prev = this.streams.get(f.csid);
    if (!prev || prev.streamId !== f.streamId || ts < prev.timestamp) {
      return { fmt: 0, field: ts, ext: ts >= EXT_TS_MARKER };
    }
    const delta = ts - prev.timestamp;
    let fmt: ChunkFormat;
    if (prev.length !== f.length || prev.typeId !== f.typeId) fmt = 1;
    else if (prev.delta !== delta) fmt = 2;
    else fmt = 3;
    return { fmt, field: delta, ext: delta >= EXT_TS_MARKER };
  }

  private commit(f: MessageHeaderFields, plan: Plan): void {
    this.streams.set(f.csid, {
      timestamp: f.timestamp >>> 0, delta: plan.field, length: f.length, typeId: f.typeId, streamId: f.streamId,
    });
  }
}

function checkFields(f: MessageHeaderFields): void {
  checkCsid(f.csid);
  if (f.length > MAX_MESSAGE_LENGTH) {
    throw new OnAirError('ONAIR_ERR_LIMIT', `message of ${f.length} bytes does not fit RTMP's 24-bit length`);
  }
}

const MESSAGE_HEADER_SIZE = [11, 7, 3, 0] as const;

function headerSize(basic: number, plan: Plan): number {
  return basic + MESSAGE_HEADER_SIZE[plan.fmt] + (plan.ext ? 4 : 0);
}

/** Writes the first chunk's basic + message header (+ extended timestamp); returns the next position. */
function writeHeader(out: Buffer, at: number, plan: Plan, f: MessageHeaderFields): number {
  at = writeBasicHeader(out, at, plan.fmt, f.csid);
  if (plan.fmt <= 2) at = out.writeUIntBE(plan.ext ? EXT_TS_MARKER : plan.field, at, 3);
  if (plan.fmt <= 1) {
    at = out.writeUIntBE(f.length, at, 3);
    out[at++] = f.typeId;
  }
  if (plan.fmt === 0) at = out.writeUInt32LE(f.streamId >>> 0, at);
  if (plan.ext) at = out.writeUInt32BE(plan.field, at);
  return at;
}
