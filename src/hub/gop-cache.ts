import type { MediaPacket } from '../core/media-packet.js';
import { AUDIO_ONLY_CACHE_MS } from './limits.js';

export interface GopCacheLimits {
  maxBytes: number;
  maxMs: number;
}

/**
 * What a new subscriber needs to start at once: the latest decoder configs and everything from the latest
 * video keyframe on (or the last second of audio for an audio-only stream). Capped in bytes and ms: a GOP
 * that outgrows the cap is dropped and the cache waits for the next keyframe, so a stream with a broken
 * encoder (no keyframes) never holds more than the cap.
 */
export class GopCache {
  private videoConfig: MediaPacket | undefined;
  private audioConfig: MediaPacket | undefined;
  private packets: MediaPacket[] = [];
  private bytes = 0;
  private hasVideo = false;
  /** GOPs that outgrew the cap. */
  overflows = 0;

  constructor(private readonly limits: GopCacheLimits) {}

  get videoPresent(): boolean {
    return this.hasVideo;
  }

  get byteSize(): number {
    return this.bytes;
  }

  add(p: MediaPacket): void {
    if (p.role === 'config') {
      if (p.kind === 'video') {
        this.videoConfig = p;
        if (!this.hasVideo) this.startVideo();
      } else this.audioConfig = p;
      return;
    }
    if (p.role !== 'frame') return;
    if (p.kind === 'video') {
      if (!this.hasVideo) this.startVideo();
      if (p.keyframe) this.clear();
      else if (this.packets.length === 0) return; // no keyframe yet: nothing a new player could decode
    } else if (this.hasVideo && this.packets.length === 0) {
      return;
    }
    this.packets.push(p);
    this.bytes += p.data.length;
    this.enforceLimits();
  }

  /** Configs first, then frames in arrival order. The arrays are fresh; the packets are shared. */
  snapshot(): MediaPacket[] {
    const out: MediaPacket[] = [];
    if (this.videoConfig) out.push(this.videoConfig);
    if (this.audioConfig) out.push(this.audioConfig);
    if (this.limits.maxBytes > 0) out.push(...this.packets);
    return out;
  }

  /** Forget everything (a new publisher starts with its own configs). */
  reset(): void {
    this.videoConfig = undefined;
    this.audioConfig = undefined;
    this.hasVideo = false;
    this.clear();
  }

  private startVideo(): void {
    // Audio cached while the stream looked audio-only cannot start a video player: drop it.
    this.hasVideo = true;
    this.clear();
  }

  private clear(): void {
    this.packets = [];
    this.bytes = 0;
  }

  private enforceLimits(): void {
    const first = this.packets[0]!;
    const last = this.packets[this.packets.length - 1]!;
    if (!this.hasVideo) {
      while (this.packets.length > 1 && (last.dts - this.packets[0]!.dts > AUDIO_ONLY_CACHE_MS || this.bytes > this.limits.maxBytes)) {
        this.bytes -= this.packets.shift()!.data.length;
      }
      return;
    }
    if (this.bytes > this.limits.maxBytes || last.dts - first.dts > this.limits.maxMs) {
      this.overflows++;
      this.clear();
    }
  }
}
