import { OnAirError, checkLimit } from '../../core/errors.js';
import { MAX_LINE_LENGTH, MAX_PLAYLIST_BYTES, MAX_PLAYLIST_LINES } from './limits.js';

/** One playlist line: a tag (`#EXT...`, name and the text after ':'), or a URI. Comments and blanks dropped. */
export type PlaylistLine = { kind: 'tag'; name: string; value: string } | { kind: 'uri'; uri: string };

/** Splits and bounds a playlist (RFC 8216 §4.1: UTF-8, lines end in LF or CRLF, must start with #EXTM3U). */
export function playlistLines(text: string): PlaylistLine[] {
  checkLimit('playlist bytes', text.length, MAX_PLAYLIST_BYTES);
  const raw = text.split('\n');
  checkLimit('playlist lines', raw.length, MAX_PLAYLIST_LINES);
  if (raw[0]?.replace(/\r$/, '').replace(/^\uFEFF/, '') !== '#EXTM3U') {
    throw new OnAirError('ONAIR_ERR_MALFORMED', 'playlist does not start with #EXTM3U');
  }
  const out: PlaylistLine[] = [];
  for (let i = 1; i < raw.length; i++) {
    const line = raw[i]!.replace(/\r$/, '');
    checkLimit(`playlist line ${i + 1} length`, line.length, MAX_LINE_LENGTH);
    if (line.trim() === '') continue;
    if (line.startsWith('#EXT')) {
      const colon = line.indexOf(':');
      out.push(colon < 0 ? { kind: 'tag', name: line.slice(1), value: '' } : { kind: 'tag', name: line.slice(1, colon), value: line.slice(colon + 1) });
    } else if (!line.startsWith('#')) {
      out.push({ kind: 'uri', uri: line.trim() });
    }
  }
  return out;
}
