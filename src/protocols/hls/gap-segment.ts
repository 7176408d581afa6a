import { buildEmptyFragment } from '../../formats/fmp4/index.js';
import type { WindowSegment } from './media-window.js';

/**
 * What an EXT-X-GAP segment's URI answers: a fragment without media whose tfdt puts each track where the gap
 * starts. rfc8216bis §4.4.4.7 says a GAP segment "does not contain media data and SHOULD NOT be loaded by clients";
 * hls.js and Shaka never ask for one, but GStreamer's hlsdemux2 (1.22, and main as of 2026) parses the tag without
 * consulting it and loads every gap segment: a 404 made it retry in a loop and stop for good at a publisher
 * reconnect, this lets it step over the gap to the media after it. The mfhd sequence number is the MSN: nothing
 * decodes from it, and the following session's fragments carry their own.
 */
function gapSegmentBytes(seg: Pick<WindowSegment, 'msn' | 'startMs' | 'session'>): Buffer {
  return buildEmptyFragment(seg.msn, seg.session.tracks.map((t) => ({ trackId: t.fmp4.id, baseDts: (seg.startMs * t.fmp4.timescale) / 1000 })));
}

/** A listed segment's bytes as chunks: its parts' chunks in order, or an EXT-X-GAP segment's fragment without media. */
export function segmentBytes(seg: WindowSegment): readonly Buffer[] {
  return seg.gap ? [gapSegmentBytes(seg)] : seg.parts.flatMap((p) => p.chunks);
}
