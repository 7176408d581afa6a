import { describeConfig, type TrackInfo } from '../../codecs/index.js';
import type { HubStream } from '../../hub/index.js';

/** What the engine needs to know about a source before planning its ladder. */
export interface SourceInfo {
  readonly videoCodec: string | undefined;
  readonly audioCodec: string | undefined;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** From onMetaData (kbps -> bits/s) when the encoder sent it. */
  readonly videoBitrate: number | undefined;
  readonly audioBitrate: number | undefined;
}

/** ffmpeg 5.1 reads only legacy FLV codecs from a pipe; E-RTMP HEVC/AV1 sources are relayed, not transcoded. */
export const TRANSCODABLE_VIDEO = new Set(['avc1']);

/** Frame rate used when neither the SPS nor onMetaData nor the frames themselves tell it. */
const FALLBACK_FPS = 30;

/** Reads the source's tracks from the hub's GOP cache (configs + frames) and metadata. */
export function sourceInfoOf(stream: HubStream): SourceInfo {
  const packets = stream.gop.snapshot();
  const meta = stream.metadata ?? {};
  let video: TrackInfo | undefined;
  let audio: TrackInfo | undefined;
  for (const p of packets) {
    if (p.role !== 'config' && p.codec !== '.mp3') continue;
    try {
      if (p.kind === 'video') video ??= describeConfig(p);
      else audio ??= describeConfig(p);
    } catch {
      // An unparsable config: treated as an unknown track (the source still plays untouched).
    }
  }
  const frames = packets.filter((p) => p.kind === 'video' && p.role === 'frame');
  const measuredFps = frames.length >= 3 ? (frames.length - 1) * 1000 / Math.max(1, frames.at(-1)!.dts - frames[0]!.dts) : undefined;
  const fps = video?.fps ?? positive(meta.framerate) ?? positive(meta.fps) ?? measuredFps ?? FALLBACK_FPS;
  const kbps = (v: unknown) => (positive(v) ?? 0) * 1000 || undefined;
  return {
    videoCodec: video?.codec ?? (frames[0]?.codec),
    audioCodec: audio?.codec,
    width: video?.width ?? positive(meta.width) ?? 0,
    height: video?.height ?? positive(meta.height) ?? 0,
    fps: Math.round(fps * 100) / 100,
    videoBitrate: kbps(meta.videodatarate),
    audioBitrate: kbps(meta.audiodatarate),
  };
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}
