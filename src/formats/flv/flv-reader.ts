import { OnAirError, checkLimit } from '../../core/errors.js';
import { ByteQueue } from './byte-queue.js';
import {
  FLV_FILE_HEADER_SIZE, FLV_PREVIOUS_TAG_SIZE_BYTES, FLV_TAG_AUDIO, FLV_TAG_HEADER_SIZE, FLV_TAG_SCRIPT,
  FLV_TAG_VIDEO, type FlvTagType,
} from './flv-file.js';
import { MAX_FLV_HEADER_SIZE, MAX_FLV_TAG_SIZE } from './limits.js';

export interface FlvFileHeaderInfo {
  readonly version: number;
  readonly audio: boolean;
  readonly video: boolean;
  readonly dataOffset: number;
}

export interface FlvTag {
  readonly typeId: FlvTagType;
  /** ms, 32 bits (TimestampExtended applied). */
  readonly timestamp: number;
  /** A view into pushed data when the body arrived in one chunk: pushed buffers must not be reused. */
  readonly body: Buffer;
}

export interface FlvReaderOptions {
  /** Largest accepted tag body; default MAX_FLV_TAG_SIZE. Larger declared sizes throw ONAIR_ERR_LIMIT. */
  readonly maxTagSize?: number;
  /**
   * true (default): a PreviousTagSize that does not match the tag before it, a non-zero
   * PreviousTagSize0, an unknown tag type or an encrypted (Filter) tag throws ONAIR_ERR_MALFORMED /
   * _UNSUPPORTED. false: those are ignored and such tags skipped, as players (ffmpeg, mpegts.js) do.
   */
  readonly strict?: boolean;
}

type State = 'header' | 'header-extra' | 'first-size' | 'tag-header' | 'tag-body' | 'failed';

/**
 * Incremental FLV file/stream reader (FLV spec E.2-E.4): push bytes as they arrive, get complete tags.
 * After it throws once, the reader stays failed (ONAIR_ERR_STATE): a byte stream cannot resync.
 */
export class FlvReader {
  private readonly queue = new ByteQueue();
  private readonly maxTagSize: number;
  private readonly strict: boolean;
  private state: State = 'header';
  private headerExtra = 0;
  private pending: { typeId: number; timestamp: number; size: number; filtered: boolean } | undefined;

  constructor(opts: FlvReaderOptions = {}) {
    this.maxTagSize = Math.min(opts.maxTagSize ?? MAX_FLV_TAG_SIZE, MAX_FLV_TAG_SIZE);
    this.strict = opts.strict ?? true;
  }

  /** Bytes received that do not yet form a complete unit (non-zero at end of input = truncated file). */
  get buffered(): number {
    return this.queue.length;
  }

  push(bytes: Buffer): { header?: FlvFileHeaderInfo; tags: FlvTag[] } {
    if (this.state === 'failed') throw new OnAirError('ONAIR_ERR_STATE', 'FLV reader failed earlier');
    this.queue.push(bytes);
    try {
      return this.drain();
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  private drain(): { header?: FlvFileHeaderInfo; tags: FlvTag[] } {
    let header: FlvFileHeaderInfo | undefined;
    const tags: FlvTag[] = [];
    for (;;) {
      if (this.state === 'header') {
        if (this.queue.length < FLV_FILE_HEADER_SIZE) break;
        header = this.readFileHeader(this.queue.take(FLV_FILE_HEADER_SIZE));
        this.headerExtra = header.dataOffset - FLV_FILE_HEADER_SIZE;
        this.state = 'header-extra';
      } else if (this.state === 'header-extra') {
        if (this.queue.length < this.headerExtra) break;
        this.queue.take(this.headerExtra);
        this.state = 'first-size';
      } else if (this.state === 'first-size') {
        if (this.queue.length < FLV_PREVIOUS_TAG_SIZE_BYTES) break;
        const size0 = this.queue.take(FLV_PREVIOUS_TAG_SIZE_BYTES).readUInt32BE(0);
        if (size0 !== 0 && this.strict) throw new OnAirError('ONAIR_ERR_MALFORMED', `FLV PreviousTagSize0 is ${size0}, not 0`);
        this.state = 'tag-header';
      } else if (this.state === 'tag-header') {
        if (this.queue.length < FLV_TAG_HEADER_SIZE) break;
        this.pending = this.readTagHeader(this.queue.take(FLV_TAG_HEADER_SIZE));
        this.state = 'tag-body';
      } else {
        const tag = this.pending!;
        if (this.queue.length < tag.size + FLV_PREVIOUS_TAG_SIZE_BYTES) break;
        const body = this.queue.take(tag.size);
        const previous = this.queue.take(FLV_PREVIOUS_TAG_SIZE_BYTES).readUInt32BE(0);
        if (this.strict && previous !== FLV_TAG_HEADER_SIZE + tag.size) {
          throw new OnAirError('ONAIR_ERR_MALFORMED', `FLV PreviousTagSize ${previous}, tag was ${FLV_TAG_HEADER_SIZE + tag.size}`);
        }
        this.state = 'tag-header';
        this.pending = undefined;
        if (isTagType(tag.typeId) && !tag.filtered) tags.push({ typeId: tag.typeId, timestamp: tag.timestamp, body });
      }
    }
    return header ? { header, tags } : { tags };
  }

  private readFileHeader(b: Buffer): FlvFileHeaderInfo {
    if (b.toString('latin1', 0, 3) !== 'FLV') throw new OnAirError('ONAIR_ERR_MALFORMED', 'FLV signature missing');
    const dataOffset = b.readUInt32BE(5);
    if (dataOffset < FLV_FILE_HEADER_SIZE) throw new OnAirError('ONAIR_ERR_MALFORMED', `FLV DataOffset ${dataOffset} < 9`);
    checkLimit('FLV DataOffset', dataOffset, MAX_FLV_HEADER_SIZE);
    return { version: b[3]!, audio: (b[4]! & 0x04) !== 0, video: (b[4]! & 0x01) !== 0, dataOffset };
  }

  private readTagHeader(b: Buffer): { typeId: number; timestamp: number; size: number; filtered: boolean } {
    const typeId = b[0]! & 0x1f;
    const filtered = (b[0]! & 0x20) !== 0;
    const size = b.readUIntBE(1, 3);
    checkLimit('FLV tag size', size, this.maxTagSize);
    if (this.strict && !isTagType(typeId)) throw new OnAirError('ONAIR_ERR_MALFORMED', `FLV tag type ${typeId}`);
    if (this.strict && filtered) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', 'encrypted (Filter) FLV tag');
    const timestamp = (b[7]! * 2 ** 24) + b.readUIntBE(4, 3);
    return { typeId, timestamp, size, filtered };
  }
}

function isTagType(t: number): t is FlvTagType {
  return t === FLV_TAG_AUDIO || t === FLV_TAG_VIDEO || t === FLV_TAG_SCRIPT;
}
