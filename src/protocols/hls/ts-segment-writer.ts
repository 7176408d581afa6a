import { OnAirError } from '../../core/errors.js';
import { adtsHeader, parseAudioSpecificConfig, type AudioSpecificConfig } from '../../codecs/index.js';
import { annexBConverter } from '../../codecs/annex-b-converter.js';
import { TsMuxer, type TsAudioStreamType, type TsVideoStreamType } from '../../formats/mpegts/index.js';
import type { HlsTrack } from './hls-tracks.js';
import type { HlsSegment } from './segmenter.js';
import { VIDEO_TIMESCALE } from './limits.js';

/** True when every track of the session can go into MPEG-TS. */
export function tsCapable(tracks: readonly HlsTrack[]): boolean {
  return tracks.length > 0 && tracks.every((t) => t.tsStreamType !== undefined);
}

/**
 * Writes segments of one session as MPEG-TS (RFC 8216 §3.2): PAT/PMT first, Annex-B video with the
 * parameter sets before each keyframe (TS has no out-of-band config), ADTS AAC, MP3 as is. Its muxer keeps the
 * continuity counters running from segment to segment, in the order they are written; `after`, the previous
 * session's writer: its muxer goes on (reconfigured for this session's streams, the PMT version stepped), so the
 * counters run on across the session change too (a demuxer that reads the segments as one stream, as ffmpeg's HLS
 * reader does, marks the packets after a counter jump as corrupt).
 */
export class TsSegmentWriter {
  private readonly muxer: TsMuxer;
  private readonly video: HlsTrack | undefined;
  private readonly audio: HlsTrack | undefined;
  private readonly toAnnexB: ((data: Buffer, keyframe: boolean) => Buffer) | undefined;
  private readonly asc: AudioSpecificConfig | undefined;

  constructor(tracks: readonly HlsTrack[], after?: TsSegmentWriter) {
    if (!tsCapable(tracks)) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', 'a track cannot be carried in MPEG-TS');
    this.video = tracks.find((t) => t.kind === 'video');
    this.audio = tracks.find((t) => t.kind === 'audio');
    const streams = {
      ...(this.video ? { video: { streamType: this.video.tsStreamType as TsVideoStreamType } } : {}),
      ...(this.audio ? { audio: { streamType: this.audio.tsStreamType as TsAudioStreamType } } : {}),
    };
    if (after) after.muxer.reconfigure(streams);
    this.muxer = after?.muxer ?? new TsMuxer(streams);
    if (this.video) this.toAnnexB = annexBConverter(this.video.codec, this.video.fmp4.config);
    if (this.audio?.codec === 'mp4a') this.asc = parseAudioSpecificConfig(this.audio.fmp4.config);
  }

  write(seg: HlsSegment): Buffer {
    type Item = { t90: number; out: () => Buffer };
    const items: Item[] = [];
    for (const part of seg.parts) {
      for (const run of part.runs) {
        const ts = run.track.fmp4.timescale;
        const to90 = (x: number): number => Math.round(x * VIDEO_TIMESCALE / ts);
        for (const s of run.samples) {
          if (run.track === this.video) {
            const conv = this.toAnnexB!;
            items.push({
              t90: to90(s.dts),
              out: () => this.muxer.writeVideo({ dts90k: to90(s.dts), pts90k: to90(s.dts + s.cts), keyframe: s.keyframe, data: conv(s.data, s.keyframe) }),
            });
          } else if (run.track === this.audio) {
            const data = this.asc ? Buffer.concat([adtsHeader(this.asc, s.data.length), s.data]) : s.data;
            items.push({ t90: to90(s.dts), out: () => this.muxer.writeAudio({ pts90k: to90(s.dts), data }) });
          }
        }
      }
    }
    items.sort((a, b) => a.t90 - b.t90); // stable: decode order within a track is kept
    const out: Buffer[] = [this.muxer.writeTables()];
    for (const i of items) out.push(i.out());
    return Buffer.concat(out);
  }
}
