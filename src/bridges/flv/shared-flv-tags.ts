import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { asEcmaArray, encodeAmf0, type AmfObject } from '../../formats/amf/index.js';
import {
  FLV_MAX_BODY_SIZE, FLV_PREVIOUS_TAG_SIZE_BYTES, FLV_TAG_AUDIO, FLV_TAG_HEADER_SIZE, FLV_TAG_VIDEO, tagBodyHeader,
  writeFlvTagHeader, flvFileHeader,
} from '../../formats/flv/index.js';
import { playableOnFlv, type FlvTracks } from './flv-tracks.js';

/**
 * At most this many distinct timestamps are serialized whole per tag: viewers rebased at the same keyframe
 * (everyone who joined during one GOP) share one; a rarer cohort gets the parts (its own 11-byte header around the
 * shared body) instead of a copy of the body.
 */
const MAX_COHORTS_PER_TAG = 8;

/**
 * One FLV audio or video tag as every viewer shares it. `wire(dts)` is the whole tag (header, body,
 * PreviousTagSize) in one buffer per distinct timestamp; the parts are what a viewer outside those cohorts gets.
 */
export class SharedFlvTag {
  /** PreviousTagSize: 11 + bodyLength, the same for everyone. */
  readonly trailer: Buffer;
  private cohorts: Map<number, Buffer> | undefined;
  // Fan-out asks for the same timestamp many times in a row: remember the last answer.
  private lastDts = -1;
  private lastWire: Buffer | undefined;

  constructor(
    readonly typeId: typeof FLV_TAG_AUDIO | typeof FLV_TAG_VIDEO,
    /** The tag body's codec header bytes; `bodyHeader` + `data` is the whole body. */
    readonly bodyHeader: Buffer,
    /** The packet payload itself. */
    readonly data: Buffer,
  ) {
    this.trailer = Buffer.allocUnsafe(FLV_PREVIOUS_TAG_SIZE_BYTES);
    this.trailer.writeUInt32BE(FLV_TAG_HEADER_SIZE + this.bodyLength, 0);
  }

  get bodyLength(): number {
    return this.bodyHeader.length + this.data.length;
  }

  /**
   * The whole tag for a viewer at `dts` (ms, >= 0), shared by every viewer at that timestamp; undefined once
   * MAX_COHORTS_PER_TAG timestamps have their own (the caller then writes `parts(dts)`).
   */
  wire(dts: number): Buffer | undefined {
    if (dts === this.lastDts) return this.lastWire;
    let w = this.cohorts?.get(dts);
    if (w === undefined) {
      this.cohorts ??= new Map();
      if (this.cohorts.size < MAX_COHORTS_PER_TAG) {
        w = this.serialize(dts);
        this.cohorts.set(dts, w);
      }
    }
    this.lastDts = dts;
    this.lastWire = w;
    return w;
  }

  /** The tag as [own header, shared body header, payload, shared trailer]: no copy of the payload. */
  parts(dts: number): Buffer[] {
    const header = Buffer.allocUnsafe(FLV_TAG_HEADER_SIZE);
    writeFlvTagHeader(header, 0, this.typeId, dts, this.bodyLength);
    return [header, this.bodyHeader, this.data, this.trailer];
  }

  private serialize(dts: number): Buffer {
    const w = Buffer.allocUnsafe(FLV_TAG_HEADER_SIZE + this.bodyLength + FLV_PREVIOUS_TAG_SIZE_BYTES);
    writeFlvTagHeader(w, 0, this.typeId, dts, this.bodyLength);
    let at = FLV_TAG_HEADER_SIZE;
    at += this.bodyHeader.copy(w, at);
    at += this.data.copy(w, at);
    this.trailer.copy(w, at);
    return w;
  }
}

/** FLV SoundFormat 9: the E-RTMP ExAudioTagHeader. */
const SOUND_FORMAT_EX = 9;

/** Remembered for packets that have no form on this output, so the check runs once per packet. */
const NOT_PLAYABLE = 'not-playable' as const;

/**
 * One serialization per packet for every HTTP-FLV and WS-FLV viewer, remembered by packet identity (a
 * WeakMap: it goes when the GOP cache and the viewers' buffers let go of the packet), like the RTMP
 * bridge's SharedChunks. One instance per server, shared by both routes.
 */
export class SharedFlvTags {
  private readonly tags = new WeakMap<MediaPacket, SharedFlvTag | typeof NOT_PLAYABLE>();
  private readonly scripts = new WeakMap<StreamMetadata, Map<number, Buffer | typeof NOT_PLAYABLE>>();
  private readonly fileHeaders = new Map<number, Buffer>();
  // Every viewer of a stream asks for the same packet in turn: skip the WeakMap for the repeats.
  private lastPacket: MediaPacket | undefined;
  private lastTag: SharedFlvTag | typeof NOT_PLAYABLE = NOT_PLAYABLE;

  /** The shared tag for `p`, or undefined when `p` cannot go out on an FLV output for browser players. */
  get(p: MediaPacket): SharedFlvTag | undefined {
    let t = p === this.lastPacket ? this.lastTag : this.tags.get(p);
    if (t === undefined) {
      t = build(p) ?? NOT_PLAYABLE;
      this.tags.set(p, t);
    }
    this.lastPacket = p;
    this.lastTag = t;
    return t === NOT_PLAYABLE ? undefined : t;
  }

  /** The 13-byte FLV file header (with PreviousTagSize0) announcing `tracks`, one buffer per variant. */
  fileHeader(tracks: FlvTracks): Buffer {
    const key = (tracks.audio ? 1 : 0) | (tracks.video ? 2 : 0);
    let h = this.fileHeaders.get(key);
    if (!h) this.fileHeaders.set(key, (h = flvFileHeader(tracks)));
    return h;
  }

  /**
   * The onMetaData script body for `m` as seen by viewers of `tracks`: hasAudio/hasVideo are rewritten to the
   * header flags, because mpegts.js lets onMetaData override them and would then wait for a dropped track.
   * Undefined when the metadata cannot be encoded (the tag is then skipped: it is optional).
   */
  onMetaData(m: StreamMetadata, tracks: FlvTracks): Buffer | undefined {
    let variants = this.scripts.get(m);
    if (!variants) this.scripts.set(m, (variants = new Map()));
    const key = (tracks.audio ? 1 : 0) | (tracks.video ? 2 : 0);
    let body = variants.get(key);
    if (body === undefined) {
      try {
        body = encodeAmf0('onMetaData', asEcmaArray({ ...(m as AmfObject), hasAudio: tracks.audio, hasVideo: tracks.video }));
        if (body.length > FLV_MAX_BODY_SIZE) body = NOT_PLAYABLE;
      } catch {
        body = NOT_PLAYABLE; // cyclic or over the AMF size cap: metadata is optional for players
      }
      variants.set(key, body);
    }
    return body === NOT_PLAYABLE ? undefined : body;
  }
}

/** Whether the ingest wire carried `p` in an E-RTMP (ExVideoTagHeader / ExAudioTagHeader) form. */
function hasExOrigin(p: MediaPacket): boolean {
  const h = p.origin?.flvTagHeader;
  if (h === undefined) return false;
  return p.kind === 'video' ? (h & 0x80) !== 0 : h >> 4 === SOUND_FORMAT_EX;
}

function build(p: MediaPacket): SharedFlvTag | undefined {
  if (!playableOnFlv(p)) return undefined;
  let bodyHeader: Buffer;
  try {
    // mpegts.js reads H.264, AAC and MP3 only in their legacy forms (E-FLV avc1/mp4a error out, mpegts.js 1.8 `src/demux/flv-demuxer.js`):
    // drop an E-RTMP origin so the writer's canonical header is used (legacy for those three).
    bodyHeader = tagBodyHeader(hasExOrigin(p) ? { ...p, origin: undefined } : p);
  } catch {
    return undefined; // no FLV form (e.g. a composition time beyond SI24): skipped, not fatal
  }
  if (bodyHeader.length + p.data.length > FLV_MAX_BODY_SIZE) return undefined;
  return new SharedFlvTag(p.kind === 'video' ? FLV_TAG_VIDEO : FLV_TAG_AUDIO, bodyHeader, p.data);
}
