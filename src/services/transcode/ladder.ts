import type { LadderRung, LadderSetting } from '../streams/stream-types.js';
import type { RenditionInfo } from './types.js';

/** What the ladder is planned against: the source's picture. */
export interface SourcePicture {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/** One rung to encode, with everything the ffmpeg arguments need. */
export interface PlannedRung {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** The source's fps is above this rung's: frames are thinned (keeping every source keyframe). */
  readonly reduceFps: boolean;
  readonly videoBitrateKbps: number;
  readonly audioBitrateKbps: number;
  /** H.264 profile: High for 720p and up, Main below (older devices). */
  readonly profile: 'high' | 'main';
}

/**
 * The default ladder below the source (Apple HLS authoring spec / common managed-service ladders): 720p at
 * source frame rate up to 60, 480p and 360p at up to 30 fps. Bitrates are for H.264 at 30 fps; 60 fps
 * 720p gets 1.5x (see `plan`).
 */
export const DEFAULT_LADDER: readonly Required<Omit<LadderRung, 'codec'>>[] = [
  { name: '720p', height: 720, videoBitrateKbps: 2_500, audioBitrateKbps: 128, fps: 60 },
  { name: '480p', height: 480, videoBitrateKbps: 1_200, audioBitrateKbps: 96, fps: 30 },
  { name: '360p', height: 360, videoBitrateKbps: 700, audioBitrateKbps: 96, fps: 30 },
];

export function ladderKind(ladder: LadderSetting): 'passthrough' | 'default' | 'custom' {
  if (ladder === 'passthrough' || ladder === 'default') return ladder;
  return ladder.length === 0 ? 'passthrough' : 'custom';
}

/**
 * Rungs to encode for `ladder` over `source`, highest first. The source is always the top rung and is not
 * re-encoded (it is already keyframe-aligned with itself and costs nothing), so the default ladder only keeps
 * rungs strictly below the source height; a custom rung may equal it (a lower-bitrate copy) but never exceed it.
 * Frame rate never exceeds the source's. Duplicate names keep the first.
 */
export function planLadder(ladder: LadderSetting, source: SourcePicture): PlannedRung[] {
  const kind = ladderKind(ladder);
  if (kind === 'passthrough') return [];
  const rungs = kind === 'default' ? DEFAULT_LADDER : (ladder as readonly LadderRung[]);
  const out: PlannedRung[] = [];
  const names = new Set<string>(['source']);
  for (const r of rungs) {
    const height = even(r.height);
    if (kind === 'default' ? height >= source.height : height > source.height) continue;
    const name = r.name ?? `${height}p`;
    if (names.has(name)) continue;
    names.add(name);
    const fps = Math.min(r.fps ?? source.fps, source.fps);
    const highFps = kind === 'default' && fps > 30;
    out.push({
      name,
      width: even((height * source.width) / source.height),
      height,
      fps,
      reduceFps: fps < source.fps - 0.5,
      videoBitrateKbps: Math.round(r.videoBitrateKbps * (highFps ? 1.5 : 1)),
      audioBitrateKbps: r.audioBitrateKbps ?? defaultAudioKbps(height),
      profile: height >= 720 ? 'high' : 'main',
    });
  }
  return out.sort((a, b) => b.height - a.height || b.videoBitrateKbps - a.videoBitrateKbps);
}

function defaultAudioKbps(height: number): number {
  return height >= 720 ? 128 : 96;
}

/** H.264 4:2:0 needs even dimensions. */
function even(v: number): number {
  return Math.max(2, 2 * Math.round(v / 2));
}

/** A planned rung as playback lists it: its hub path `<source>/<name>` (the owner's transcoder, and an edge's pulls). */
export function renditionOf(streamPath: string, r: PlannedRung, hasAudio: boolean): RenditionInfo {
  return {
    name: r.name, path: `${streamPath}/${r.name}`, width: r.width, height: r.height, fps: r.fps,
    videoBitrate: r.videoBitrateKbps * 1000, audioBitrate: hasAudio ? r.audioBitrateKbps * 1000 : 0, source: false,
  };
}
