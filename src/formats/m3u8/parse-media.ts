import { OnAirError } from '../../core/errors.js';
import { decimalAttr, parseAttributes, parseDecimal, parseInteger, requireAttr } from './attributes.js';
import { playlistLines } from './playlist-lines.js';
import type { ByteRange, MapTag, MediaPart, MediaPlaylist, MediaSegment, PartialSegment, PreloadHint, RenditionReport, ServerControl } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Media Playlist parser (RFC 8216 §4.3, rfc8216bis LL-HLS tags), bounded by limits.ts. Unknown tags are
 * ignored as clients must (§6.3.1). Segment-level tags attach to the next URI; those left after the last
 * URI form `partialSegment` (the LL-HLS segment in progress).
 */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const p: Partial<Mutable<MediaPlaylist>> = {};
  const segments: MediaSegment[] = [];
  let pending: Mutable<PartialSegment> = {};
  let extinf: { duration: number; title: string } | undefined;
  let gap = false;
  let range: { length: number; offset: number | undefined } | undefined;
  /** Where the previous segment's sub-range ended, per URI: an EXT-X-BYTERANGE without offset starts there. */
  let rangeEnd: { uri: string; end: number } | undefined;
  const hints: PreloadHint[] = [];
  const reports: RenditionReport[] = [];
  const pendingIsEmpty = (): boolean => Object.keys(pending).length === 0;

  for (const line of playlistLines(text)) {
    if (line.kind === 'uri') {
      if (!extinf) throw new OnAirError('ONAIR_ERR_MALFORMED', `URI without #EXTINF: ${line.uri.slice(0, 60)}`);
      const byteRange = range ? segmentRange(range, line.uri, rangeEnd) : undefined;
      rangeEnd = byteRange ? { uri: line.uri, end: byteRange.offset + byteRange.length } : undefined;
      segments.push({
        ...pending, uri: line.uri, duration: extinf.duration, ...(extinf.title ? { title: extinf.title } : {}), ...(gap ? { gap } : {}),
        ...(byteRange ? { byteRange } : {}),
      });
      pending = {};
      extinf = undefined;
      gap = false;
      range = undefined;
      continue;
    }
    const { name, value } = line;
    switch (name) {
      case 'EXT-X-VERSION': p.version = parseInteger(value, name); break;
      case 'EXT-X-TARGETDURATION': p.targetDuration = parseInteger(value, name); break;
      case 'EXT-X-MEDIA-SEQUENCE': p.mediaSequence = parseInteger(value, name); break;
      case 'EXT-X-DISCONTINUITY-SEQUENCE': p.discontinuitySequence = parseInteger(value, name); break;
      case 'EXT-X-INDEPENDENT-SEGMENTS': p.independentSegments = true; break;
      case 'EXT-X-ENDLIST': p.endList = true; break;
      case 'EXT-X-PLAYLIST-TYPE':
        if (value !== 'EVENT' && value !== 'VOD') throw new OnAirError('ONAIR_ERR_MALFORMED', `${name}:${value.slice(0, 20)}`);
        p.playlistType = value;
        break;
      case 'EXT-X-SERVER-CONTROL': p.serverControl = serverControl(parseAttributes(value)); break;
      case 'EXT-X-PART-INF': p.partTarget = parseDecimal(requireAttr(parseAttributes(value), 'PART-TARGET', name), 'PART-TARGET'); break;
      case 'EXT-X-SKIP': p.skippedSegments = parseInteger(requireAttr(parseAttributes(value), 'SKIPPED-SEGMENTS', name), 'SKIPPED-SEGMENTS'); break;
      case 'EXT-X-BYTERANGE': range = parseRange(value, name); break;
      case 'EXT-X-MAP': {
        const attrs = parseAttributes(value);
        const mapRange = attrs.get('BYTERANGE');
        const r = mapRange === undefined ? undefined : parseRange(mapRange, 'EXT-X-MAP BYTERANGE');
        // §4.3.2.5: the BYTERANGE of EXT-X-MAP always carries its offset.
        if (r && r.offset === undefined) throw new OnAirError('ONAIR_ERR_MALFORMED', 'EXT-X-MAP BYTERANGE without an offset');
        const map: MapTag = { uri: requireAttr(attrs, 'URI', name), ...(r ? { byteRange: { length: r.length, offset: r.offset! } } : {}) };
        if (p.map === undefined && segments.length === 0 && pendingIsEmpty()) p.map = map;
        else pending.map = map;
        break;
      }
      case 'EXTINF': {
        const comma = value.indexOf(',');
        extinf = {
          duration: parseDecimal(comma < 0 ? value : value.slice(0, comma), name),
          title: comma < 0 ? '' : value.slice(comma + 1),
        };
        break;
      }
      case 'EXT-X-DISCONTINUITY': pending.discontinuity = true; break;
      case 'EXT-X-GAP': gap = true; break;
      case 'EXT-X-PROGRAM-DATE-TIME': {
        const t = Date.parse(value);
        if (Number.isNaN(t)) throw new OnAirError('ONAIR_ERR_MALFORMED', `${name}: bad date '${value.slice(0, 40)}'`);
        pending.programDateTime = t;
        break;
      }
      case 'EXT-X-PART': pending.parts = [...(pending.parts ?? []), part(parseAttributes(value))]; break;
      case 'EXT-X-PRELOAD-HINT': hints.push(preloadHint(parseAttributes(value))); break;
      case 'EXT-X-RENDITION-REPORT': reports.push(renditionReport(parseAttributes(value))); break;
      default: break; // unknown or unsupported tag: ignored (§6.3.1)
    }
  }
  if (extinf) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'playlist ends after #EXTINF without its URI');
  if (p.targetDuration === undefined) throw new OnAirError('ONAIR_ERR_MALFORMED', 'EXT-X-TARGETDURATION missing (§4.3.3.1: REQUIRED)');
  return {
    ...p,
    version: p.version ?? 1,
    targetDuration: p.targetDuration,
    mediaSequence: p.mediaSequence ?? 0, // §4.3.3.2: absent means 0
    segments,
    ...(pendingIsEmpty() ? {} : { partialSegment: pending }),
    ...(hints.length ? { preloadHints: hints } : {}),
    ...(reports.length ? { renditionReports: reports } : {}),
  };
}

/** `<n>[@<o>]` (RFC 8216 §4.3.2.2). */
function parseRange(value: string, what: string): { length: number; offset: number | undefined } {
  const at = value.indexOf('@');
  return at < 0
    ? { length: parseInteger(value, what), offset: undefined }
    : { length: parseInteger(value.slice(0, at), what), offset: parseInteger(value.slice(at + 1), what) };
}

/** Without an offset a sub-range follows the previous segment's, which must be of the same resource (§4.3.2.2). */
function segmentRange(r: { length: number; offset: number | undefined }, uri: string, previous: { uri: string; end: number } | undefined): ByteRange {
  if (r.offset !== undefined) return { length: r.length, offset: r.offset };
  if (!previous || previous.uri !== uri) throw new OnAirError('ONAIR_ERR_MALFORMED', 'EXT-X-BYTERANGE without offset after no sub-range of the same URI');
  return { length: r.length, offset: previous.end };
}

function yes(attrs: Map<string, string>, name: string): boolean {
  return attrs.get(name) === 'YES';
}

function serverControl(a: Map<string, string>): ServerControl {
  const sc: Mutable<ServerControl> = {};
  if (yes(a, 'CAN-BLOCK-RELOAD')) sc.canBlockReload = true;
  const until = decimalAttr(a, 'CAN-SKIP-UNTIL');
  if (until !== undefined) sc.canSkipUntil = until;
  const hold = decimalAttr(a, 'HOLD-BACK');
  if (hold !== undefined) sc.holdBack = hold;
  const partHold = decimalAttr(a, 'PART-HOLD-BACK');
  if (partHold !== undefined) sc.partHoldBack = partHold;
  return sc;
}

function part(a: Map<string, string>): MediaPart {
  return {
    uri: requireAttr(a, 'URI', 'EXT-X-PART'),
    duration: parseDecimal(requireAttr(a, 'DURATION', 'EXT-X-PART'), 'EXT-X-PART DURATION'),
    ...(yes(a, 'INDEPENDENT') ? { independent: true } : {}),
    ...(yes(a, 'GAP') ? { gap: true } : {}),
  };
}

function preloadHint(a: Map<string, string>): PreloadHint {
  const type = requireAttr(a, 'TYPE', 'EXT-X-PRELOAD-HINT');
  if (type !== 'PART' && type !== 'MAP') throw new OnAirError('ONAIR_ERR_MALFORMED', `EXT-X-PRELOAD-HINT TYPE=${type.slice(0, 20)}`);
  return { type, uri: requireAttr(a, 'URI', 'EXT-X-PRELOAD-HINT') };
}

function renditionReport(a: Map<string, string>): RenditionReport {
  const msn = a.get('LAST-MSN');
  const lastPart = a.get('LAST-PART');
  return {
    uri: requireAttr(a, 'URI', 'EXT-X-RENDITION-REPORT'),
    ...(msn !== undefined ? { lastMsn: parseInteger(msn, 'LAST-MSN') } : {}),
    ...(lastPart !== undefined ? { lastPart: parseInteger(lastPart, 'LAST-PART') } : {}),
  };
}
