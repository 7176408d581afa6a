import { OnAirError } from '../../core/errors.js';
import { parseAttributes, parseDecimal, parseInteger, requireAttr } from './attributes.js';
import { playlistLines } from './playlist-lines.js';
import type { MasterPlaylist, Variant } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Multivariant playlist parser: EXT-X-STREAM-INF + URI pairs (RFC 8216 §4.3.4.2); other tags ignored. */
export function parseMasterPlaylist(text: string): MasterPlaylist {
  const out: Mutable<MasterPlaylist> = { variants: [] };
  const variants: Variant[] = [];
  let inf: Map<string, string> | undefined;
  for (const line of playlistLines(text)) {
    if (line.kind === 'uri') {
      if (!inf) throw new OnAirError('ONAIR_ERR_MALFORMED', `URI without #EXT-X-STREAM-INF: ${line.uri.slice(0, 60)}`);
      variants.push(variant(inf, line.uri));
      inf = undefined;
    } else if (line.name === 'EXT-X-STREAM-INF') {
      inf = parseAttributes(line.value);
    } else if (line.name === 'EXT-X-VERSION') {
      out.version = parseInteger(line.value, line.name);
    } else if (line.name === 'EXT-X-INDEPENDENT-SEGMENTS') {
      out.independentSegments = true;
    }
  }
  if (inf) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'playlist ends after #EXT-X-STREAM-INF without its URI');
  out.variants = variants;
  return out;
}

function variant(a: Map<string, string>, uri: string): Variant {
  const v: Mutable<Variant> = { uri, bandwidth: parseInteger(requireAttr(a, 'BANDWIDTH', 'EXT-X-STREAM-INF'), 'BANDWIDTH') };
  const avg = a.get('AVERAGE-BANDWIDTH');
  if (avg !== undefined) v.averageBandwidth = parseInteger(avg, 'AVERAGE-BANDWIDTH');
  const res = a.get('RESOLUTION');
  if (res !== undefined) {
    const m = /^(\d{1,6})x(\d{1,6})$/.exec(res);
    if (!m) throw new OnAirError('ONAIR_ERR_MALFORMED', `RESOLUTION '${res.slice(0, 20)}'`);
    v.resolution = { width: Number(m[1]), height: Number(m[2]) };
  }
  const codecs = a.get('CODECS');
  if (codecs !== undefined) v.codecs = codecs;
  const fr = a.get('FRAME-RATE');
  if (fr !== undefined) v.frameRate = parseDecimal(fr, 'FRAME-RATE');
  return v;
}
