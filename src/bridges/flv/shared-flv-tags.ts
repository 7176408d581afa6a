import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { asEcmaArray, encodeAmf0, type AmfObject } from '../../formats/amf/index.js';
import {
  FLV_MAX_BODY_SIZE, FLV_PREVIOUS_TAG_SIZE_BYTES, FLV_TAG_AUDIO, FLV_TAG_HEADER_SIZE, FLV_TAG_VIDEO, tagBodyHeader,
} from '../../formats/flv/index.js';
import { playableOnFlv, type FlvTracks } from './flv-tracks.js';

/** The parts of one FLV tag every subscriber shares; only the 11-byte tag header (timestamp) is per subscriber. */
export interface SharedFlvTag {
  readonly typeId: typeof FLV_TAG_AUDIO | typeof FLV_TAG_VIDEO;
  /** The tag body's codec header bytes; `bodyHeader` + `data` is the whole body. */
  readonly bodyHeader: Buffer;
  /** The packet payload itself, never copied. */
  readonly data: Buffer;
  readonly bodyLength: number;
  /** PreviousTagSize: 11 + bodyLength, the same for everyone. */
  readonly trailer: Buffer;
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

  /** The shared tag for `p`, or undefined when `p` cannot go out on an FLV output for browser players. */
  get(p: MediaPacket): SharedFlvTag | undefined {
    let t = this.tags.get(p);
    if (t === undefined) {
      t = build(p) ?? NOT_PLAYABLE;
      this.tags.set(p, t);
    }
    return t === NOT_PLAYABLE ? undefined : t;
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
  const bodyLength = bodyHeader.length + p.data.length;
  if (bodyLength > FLV_MAX_BODY_SIZE) return undefined;
  const trailer = Buffer.allocUnsafe(FLV_PREVIOUS_TAG_SIZE_BYTES);
  trailer.writeUInt32BE(FLV_TAG_HEADER_SIZE + bodyLength, 0);
  return { typeId: p.kind === 'video' ? FLV_TAG_VIDEO : FLV_TAG_AUDIO, bodyHeader, data: p.data, bodyLength, trailer };
}
