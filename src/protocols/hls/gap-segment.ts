import { buildEmptyFragment } from '../../formats/fmp4/index.js';
import type { HlsTrack } from './hls-tracks.js';
import type { WindowSegment } from './media-window.js';
import type { TrackEnd } from './resume.js';

/**
 * What an EXT-X-GAP segment's URI answers: a fragment without media whose tfdt puts each track where the gap
 * starts on the timeline of the media before it (gapDts: also another packager's, after a change of owner).
 * rfc8216bis §4.4.4.7 says a GAP segment "does not contain media data and SHOULD NOT be loaded by clients"; hls.js
 * and Shaka never ask for one, but GStreamer's hlsdemux2 (1.22, and main as of 2026) parses the tag without
 * consulting it and loads every gap segment: a 404 made it retry in a loop and stop for good at a publisher
 * reconnect, this lets it step over the gap to the media after it. The mfhd sequence number is the MSN: nothing
 * decodes from it, and the following session's fragments carry their own.
 */
function gapSegmentBytes(seg: Pick<WindowSegment, 'msn' | 'startMs' | 'session' | 'gapDts'>): Buffer {
  return buildEmptyFragment(seg.msn, seg.session.tracks.map((t, i) => ({
    trackId: t.fmp4.id, baseDts: seg.gapDts?.[i] ?? (seg.startMs * t.fmp4.timescale) / 1000,
  })));
}

/**
 * Where each track of a listed segment ends: its last sample's decode time plus its duration (track timescale), the
 * tfdt a fragment after it continues from. The tracks' ends differ (audio runs on its own frame clock, segmenter.ts),
 * so no one time in ms stands for them. A track without a sample in it ends where the segment does.
 */
export function trackEnds(seg: WindowSegment): TrackEnd[] {
  return seg.session.tracks.map((t, i) => {
    const ts = t.fmp4.timescale;
    const gapStart = seg.gapDts?.[i];
    const dts = gapStart !== undefined ? gapStart + Math.round((seg.durationMs * ts) / 1000) : lastSampleEnd(seg, t) ?? Math.round(((seg.startMs + seg.durationMs) * ts) / 1000);
    return { trackId: t.fmp4.id, timescale: ts, dts };
  });
}

function lastSampleEnd(seg: WindowSegment, track: HlsTrack): number | undefined {
  for (let p = seg.parts.length - 1; p >= 0; p--) {
    const run = seg.parts[p]!.runs.find((r) => r.track === track);
    const last = run?.samples[run.samples.length - 1];
    if (last) return last.dts + last.duration;
  }
  return undefined;
}

/**
 * The tfdt per track (`tracks` order) of an EXT-X-GAP segment `elapsedMs` after the timeline `ends` stands at: each
 * track from its own end (same track_ID, rescaled if its timescale differs), a track `ends` lacks from the first of
 * them; undefined when `ends` is empty.
 */
export function gapDtsAfter(ends: readonly TrackEnd[], tracks: readonly HlsTrack[], elapsedMs: number): number[] | undefined {
  const fallback = ends[0];
  if (!fallback) return undefined;
  return tracks.map((t) => {
    const end = ends.find((e) => e.trackId === t.fmp4.id) ?? fallback;
    const ts = t.fmp4.timescale;
    return Math.round((end.dts * ts) / end.timescale) + Math.round((elapsedMs * ts) / 1000);
  });
}

/** A listed segment's bytes as chunks: its parts' chunks in order, or an EXT-X-GAP segment's fragment without media. */
export function segmentBytes(seg: WindowSegment): readonly Buffer[] {
  return seg.gap ? [gapSegmentBytes(seg)] : seg.parts.flatMap((p) => p.chunks);
}
