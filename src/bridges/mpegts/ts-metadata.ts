import type { StreamMetadata } from '../../core/media-packet.js';
import type { TrackInfo } from '../../codecs/index.js';
import type { TsTrack } from '../../formats/mpegts/index.js';

/** FLV onMetaData codec ids as the RTMP path carries them: legacy numbers, E-RTMP FourCC numbers for the rest. */
const CODEC_IDS: Record<string, number> = {
  avc1: 7, mp4a: 10, '.mp3': 2, hvc1: fourCc('hvc1'), Opus: fourCc('Opus'),
};

function fourCc(s: string): number {
  return Buffer.from(s, 'latin1').readUInt32BE(0);
}

/**
 * The stream metadata an MPEG-TS ingest gives the hub, in the keys an RTMP encoder's onMetaData uses
 * (videocodecid, width, height, framerate, audiocodecid, audiosamplerate, audiochannels, stereo): from
 * the PMT as soon as it is read (so outputs know a video track is coming before its first keyframe, as
 * with RTMP), completed from each track's config.
 */
export function tsStreamMetadata(tracks: readonly TsTrack[], infos: ReadonlyMap<number, TrackInfo>): StreamMetadata {
  const m: Record<string, unknown> = {};
  for (const t of tracks) {
    const info = infos.get(t.pid);
    if (t.kind === 'video') {
      m.videocodecid = CODEC_IDS[t.codec];
      if (info?.width) m.width = info.width;
      if (info?.height) m.height = info.height;
      if (info?.fps) m.framerate = info.fps;
    } else {
      m.audiocodecid = CODEC_IDS[t.codec];
      if (info?.sampleRate) m.audiosamplerate = info.sampleRate;
      if (info?.channels) {
        m.audiochannels = info.channels;
        m.stereo = info.channels === 2;
      }
    }
  }
  return m;
}

export function sameMetadata(a: StreamMetadata | undefined, b: StreamMetadata): boolean {
  if (!a) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
