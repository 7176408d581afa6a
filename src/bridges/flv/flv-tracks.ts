import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';

/** Which tracks an FLV output announces in its file header (and in the onMetaData it writes). */
export interface FlvTracks {
  readonly audio: boolean;
  readonly video: boolean;
}

/**
 * Codecs mpegts.js (the browser FLV player) decodes (mpegts.js 1.8 `src/demux/flv-demuxer.js`): legacy AVC (7)
 * and HEVC (12), E-FLV hvc1 and av01; legacy MP3 (2), PCM (3) and AAC (10), E-FLV Opus and fLaC. Anything
 * else makes it raise CODEC_UNSUPPORTED and stop, so those tracks are left out of this output.
 */
const PLAYABLE_VIDEO = new Set(['avc1', 'hvc1', 'av01']);
const PLAYABLE_AUDIO = new Set(['mp4a', '.mp3', 'Opus', 'fLaC', 'flv-audio-3']);

/**
 * Whether `p` goes out on an FLV output for browser players. Opaque packets (E-RTMP Metadata packet
 * type 4, Multitrack, command frames, unknown forms) error out in mpegts.js; so does an audio
 * SequenceEnd, which only exists in the E-FLV form.
 */
export function playableOnFlv(p: MediaPacket): boolean {
  if (p.role === 'opaque') return false;
  if (p.kind === 'video') return PLAYABLE_VIDEO.has(p.codec);
  return p.role !== 'end' && PLAYABLE_AUDIO.has(p.codec);
}

/** onMetaData codec ids (legacy numbers, E-RTMP FourCC numbers or strings) of playable codecs. */
const PLAYABLE_VIDEO_IDS = new Set<unknown>([7, 12, fourCcNumber('avc1'), fourCcNumber('hvc1'), fourCcNumber('av01'), 'avc1', 'hvc1', 'av01']);
const PLAYABLE_AUDIO_IDS = new Set<unknown>([2, 3, 10, fourCcNumber('mp4a'), fourCcNumber('.mp3'), fourCcNumber('Opus'), fourCcNumber('fLaC'), 'mp4a', '.mp3', 'Opus', 'fLaC']);

function fourCcNumber(fourCc: string): number {
  return Buffer.from(fourCc, 'latin1').readUInt32BE(0);
}

/**
 * The tracks to announce for a stream, from what the hub has cached (configs and the current GOP) and its
 * metadata. mpegts.js plays nothing until every flagged track has sent its config (mpegts.js 1.8
 * `src/demux/flv-demuxer.js`, xqq/mpegts.js#191), so a track is flagged only when a playable packet of it was seen or, for a track not
 * seen yet (MP3 has no config; the GOP may hold no audio frame yet), when the publisher's metadata names a
 * playable codec for it.
 */
export function flvTracksOf(metadata: StreamMetadata | undefined, cached: Iterable<MediaPacket>): FlvTracks {
  let audio = false;
  let video = false;
  for (const p of cached) {
    if (!playableOnFlv(p)) continue;
    if (p.kind === 'audio') audio = true;
    else video = true;
  }
  if (metadata) {
    if (!video) video = metadata.hasVideo !== false && PLAYABLE_VIDEO_IDS.has(metadata.videocodecid);
    if (!audio) audio = metadata.hasAudio !== false && PLAYABLE_AUDIO_IDS.has(metadata.audiocodecid);
  }
  return { audio, video };
}
