/**
 * Test-only: turns the ffmpeg-made TestMedia of the fmp4 suite into hub MediaPackets (configs first, then
 * frames interleaved by dts, timestamps in ms as the hub carries them), and a manual timer for blocking
 * reload tests. Never imported by production code.
 */
import type { MediaPacket } from '../../../core/media-packet.js';
import type { TestMedia } from '../../../formats/fmp4/testing/ffmpeg-media.js';
import type { Timers } from '../blocking-reload.js';

export function configPackets(m: TestMedia, kinds: readonly ('video' | 'audio')[] = ['video', 'audio']): MediaPacket[] {
  const out: MediaPacket[] = [];
  if (kinds.includes('video')) out.push({ kind: 'video', codec: 'avc1', role: 'config', dts: 0, cts: 0, keyframe: false, data: m.video.avcC });
  if (kinds.includes('audio')) out.push({ kind: 'audio', codec: 'mp4a', role: 'config', dts: 0, cts: 0, keyframe: false, data: m.audio.asc });
  return out;
}

/** Frames of `m`, shifted by `offsetMs`, in dts order (video before audio on ties, like FLV muxers). */
export function framePackets(m: TestMedia, offsetMs = 0, kinds: readonly ('video' | 'audio')[] = ['video', 'audio']): MediaPacket[] {
  const v = m.video;
  const a = m.audio;
  const frames: MediaPacket[] = [];
  if (kinds.includes('video')) {
    for (const s of v.samples) {
      frames.push({
        kind: 'video', codec: 'avc1', role: 'frame', dts: offsetMs + Math.round((s.dts * 1000) / v.timescale),
        cts: Math.round((s.cts * 1000) / v.timescale), keyframe: s.keyframe, data: s.data,
      });
    }
  }
  if (kinds.includes('audio')) {
    for (const s of a.samples) {
      frames.push({ kind: 'audio', codec: 'mp4a', role: 'frame', dts: offsetMs + Math.round((s.dts * 1000) / a.timescale), cts: 0, keyframe: true, data: s.data });
    }
  }
  return frames.sort((x, y) => x.dts - y.dts || (x.kind === 'video' ? -1 : 1));
}

/** Timers run by hand: `fire()` runs every pending callback (the deadline passed). */
export class ManualTimers implements Timers {
  private next = 1;
  readonly pending = new Map<number, () => void>();
  setTimeout(fn: () => void): unknown {
    const id = this.next++;
    this.pending.set(id, fn);
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  fire(): void {
    const fns = [...this.pending.values()];
    this.pending.clear();
    for (const f of fns) f();
  }
}
