import { OnAirError } from '../../core/errors.js';
import { checkText, formatAttributes, formatDecimal, quoted } from './attributes.js';
import type { ByteRange, MapTag, MediaPart, MediaPlaylist, PartialSegment } from './types.js';

/**
 * Media Playlist writer (RFC 8216 §4.3; LL-HLS tags from draft-pantos-hls-rfc8216bis §4.4). Header tags in
 * the order of the spec's examples, then segments, then preload hints, rendition reports and ENDLIST.
 * Writes what it is given; checkMediaPlaylist tells whether that obeys the rules.
 */
export function renderMediaPlaylist(p: MediaPlaylist): string {
  if (!Number.isInteger(p.targetDuration) || p.targetDuration < 0) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `TARGETDURATION ${p.targetDuration} is not a decimal-integer (§4.3.3.1)`);
  }
  const out: string[] = ['#EXTM3U', `#EXT-X-VERSION:${int(p.version)}`, `#EXT-X-TARGETDURATION:${p.targetDuration}`];
  const sc = p.serverControl;
  if (sc) {
    out.push(`#EXT-X-SERVER-CONTROL:${formatAttributes([
      ['CAN-BLOCK-RELOAD', sc.canBlockReload],
      ['CAN-SKIP-UNTIL', dec(sc.canSkipUntil)],
      ['HOLD-BACK', dec(sc.holdBack)],
      ['PART-HOLD-BACK', dec(sc.partHoldBack)],
    ])}`);
  }
  if (p.partTarget !== undefined) out.push(`#EXT-X-PART-INF:PART-TARGET=${formatDecimal(p.partTarget)}`);
  out.push(`#EXT-X-MEDIA-SEQUENCE:${int(p.mediaSequence)}`);
  if (p.discontinuitySequence !== undefined) out.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${int(p.discontinuitySequence)}`);
  if (p.playlistType) out.push(`#EXT-X-PLAYLIST-TYPE:${p.playlistType}`);
  if (p.independentSegments) out.push('#EXT-X-INDEPENDENT-SEGMENTS');
  if (p.map) out.push(renderMap(p.map));
  // Delta update: the skipped segments' tags are replaced by this one line (rfc8216bis §4.4.5.2).
  if (p.skippedSegments !== undefined) out.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${int(p.skippedSegments)}`);

  for (const s of p.segments) {
    segmentHead(out, s);
    out.push(`#EXTINF:${s.duration.toFixed(3)},${s.title ?? ''}`);
    if (s.byteRange) out.push(`#EXT-X-BYTERANGE:${byteRange(s.byteRange)}`);
    if (s.gap) out.push('#EXT-X-GAP');
    checkText(s.uri);
    out.push(s.uri);
  }
  if (p.partialSegment) segmentHead(out, p.partialSegment);

  for (const h of p.preloadHints ?? []) out.push(`#EXT-X-PRELOAD-HINT:TYPE=${h.type},URI=${quoted(h.uri)}`);
  for (const r of p.renditionReports ?? []) {
    out.push(`#EXT-X-RENDITION-REPORT:${formatAttributes([
      ['URI', quoted(r.uri)],
      ['LAST-MSN', r.lastMsn === undefined ? undefined : int(r.lastMsn)],
      ['LAST-PART', r.lastPart === undefined ? undefined : int(r.lastPart)],
    ])}`);
  }
  if (p.endList) out.push('#EXT-X-ENDLIST');
  return `${out.join('\n')}\n`;
}

function segmentHead(out: string[], s: PartialSegment): void {
  if (s.discontinuity) out.push('#EXT-X-DISCONTINUITY');
  if (s.map) out.push(renderMap(s.map));
  if (s.programDateTime !== undefined) out.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.programDateTime).toISOString()}`);
  for (const part of s.parts ?? []) out.push(renderPart(part));
}

function renderMap(m: MapTag): string {
  return `#EXT-X-MAP:${formatAttributes([['URI', quoted(m.uri)], ['BYTERANGE', m.byteRange ? quoted(byteRange(m.byteRange)) : undefined]])}`;
}

/** `<n>@<o>` (§4.3.2.2); the offset is always written so no range depends on the one before it. */
function byteRange(r: ByteRange): string {
  return `${int(r.length)}@${int(r.offset)}`;
}

function renderPart(part: MediaPart): string {
  return `#EXT-X-PART:${formatAttributes([
    ['DURATION', formatDecimal(part.duration)],
    ['URI', quoted(part.uri)],
    ['INDEPENDENT', part.independent],
    ['GAP', part.gap],
  ])}`;
}

function dec(x: number | undefined): string | undefined {
  return x === undefined ? undefined : formatDecimal(x);
}

function int(x: number): string {
  if (!Number.isSafeInteger(x) || x < 0) throw new OnAirError('ONAIR_ERR_MALFORMED', `not a decimal-integer: ${x}`);
  return String(x);
}
