/**
 * Test-only: a live HlsRendition fed frame by frame from ffmpeg-made TestMedia under manual timers, and where a player
 * would start in one of its playlists. Never imported by production code.
 */
import type { TestMedia } from '../../../formats/fmp4/testing/ffmpeg-media.js';
import { parseMediaPlaylist } from '../../../formats/m3u8/index.js';
import { HlsRendition } from '../hls-rendition.js';
import type { RenditionSettings } from '../rendition-settings.js';
import { ManualTimers, configPackets, framePackets } from './media-feed.js';

/** A rendition fed with `media` until it has `segments` complete segments; `feed` adds the next frame (false at the end). */
export function fedRendition(media: TestMedia, segments: number, settings: RenditionSettings): { r: HlsRendition; feed: () => boolean; timers: ManualTimers } {
  const timers = new ManualTimers();
  const r = new HlsRendition('src', { settings, timers, now: () => 1_700_000_000_000 });
  r.publisherStart();
  for (const p of configPackets(media)) r.packet(p);
  const frames = framePackets(media);
  let i = 0;
  const feed = (): boolean => {
    if (i >= frames.length) return false;
    r.packet(frames[i++]!);
    return true;
  };
  while (r.window().segments.length < segments) feed();
  return { r, feed, timers };
}

/**
 * Where a player at hls.js's defaults starts in this playlist (LatencyController.liveSyncPosition in low-latency mode:
 * the end of the last listed part minus PART-HOLD-BACK, the answer's age taken as 0) and whether the part holding that
 * point is INDEPENDENT, with how far into that part the point lies (seconds).
 */
export function startPoint(body: string): { independent: boolean; intoPart: number } {
  const pl = parseMediaPlaylist(body);
  const parts = [...pl.segments.flatMap((s) => s.parts ?? []), ...(pl.partialSegment?.parts ?? [])];
  const edge = parts.reduce((t, p) => t + p.duration, 0);
  const start = edge - pl.serverControl!.partHoldBack!;
  let t = 0;
  for (const p of parts) {
    if (start >= t && start < t + p.duration) return { independent: p.independent === true, intoPart: start - t };
    t += p.duration;
  }
  throw new Error('start point outside the listed parts');
}
