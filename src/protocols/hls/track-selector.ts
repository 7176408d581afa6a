import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { hlsSupports, hlsTrack, type HlsTrack } from './hls-tracks.js';
import { TRACK_DECISION_MS } from './limits.js';

/** Reasons kept for the log: enough to see the problem, bounded against a stream of bad configs. */
const MAX_REJECTED = 8;

export type TrackSelection =
  /** Not yet: keep waiting (the packet is dropped). */
  | { readonly kind: 'wait' }
  /** Start a session with these tracks at this packet (a video keyframe, or audio of an audio-only stream). */
  | { readonly kind: 'start'; readonly tracks: readonly HlsTrack[] };

/**
 * Decides a publisher session's tracks from the configs seen before its first usable frame. Video starts
 * at its first keyframe with whatever audio config came before it (ffmpeg, OBS and GStreamer send both
 * configs first). Audio alone starts at once unless onMetaData announced video, then after
 * TRACK_DECISION_MS of audio with no video config.
 */
export class TrackSelector {
  private video: HlsTrack | undefined;
  private audio: HlsTrack | undefined;
  private videoAnnounced = false;
  private firstAudioMs: number | undefined;
  /** Configs that could not be used, for one log line each. */
  readonly rejected: string[] = [];

  /** The tracks as they stand (after configs changed mid-session, the next session's). */
  current(): HlsTrack[] {
    return [this.video, this.audio].filter((t): t is HlsTrack => t !== undefined);
  }

  metadata(m: StreamMetadata): void {
    this.videoAnnounced = m.videocodecid !== undefined && m.videocodecid !== null && m.videocodecid !== 0;
  }

  /** Takes a config packet; returns true when it changed a track. */
  config(p: MediaPacket): boolean {
    const t = this.build(p);
    if (!t) return false;
    const old = p.kind === 'video' ? this.video : this.audio;
    if (old && old.codec === t.codec && old.fmp4.config.equals(t.fmp4.config)) return false;
    if (p.kind === 'video') this.video = t;
    else this.audio = t;
    return true;
  }

  /** Called with each frame while no session runs. */
  select(p: MediaPacket): TrackSelection {
    if (p.kind === 'audio' && p.codec === '.mp3' && this.audio?.codec !== '.mp3') this.config(p); // MP3 has no config record
    if (p.kind === 'video') {
      return this.video && p.codec === this.video.codec && p.keyframe ? { kind: 'start', tracks: this.current() } : { kind: 'wait' };
    }
    if (!this.audio || this.video || p.codec !== this.audio.codec) return { kind: 'wait' };
    this.firstAudioMs ??= p.dts;
    if (this.videoAnnounced && p.dts - this.firstAudioMs < TRACK_DECISION_MS) return { kind: 'wait' };
    return { kind: 'start', tracks: [this.audio] };
  }

  /** A new publisher: its configs are about to be replayed; forget the old ones. */
  reset(): void {
    this.video = undefined;
    this.audio = undefined;
    this.videoAnnounced = false;
    this.firstAudioMs = undefined;
  }

  private reject(why: string): void {
    if (this.rejected.length < MAX_REJECTED) this.rejected.push(why);
  }

  private build(p: MediaPacket): HlsTrack | undefined {
    if (!hlsSupports(p.kind, p.codec)) {
      this.reject(`${p.kind} codec ${p.codec} is not carried in HLS`);
      return undefined;
    }
    try {
      return hlsTrack(p);
    } catch (err) {
      this.reject(`${p.kind} config rejected: ${(err as Error).message}`);
      return undefined;
    }
  }
}
