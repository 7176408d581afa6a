/**
 * The HLS URL space under /hls/<playbackId>/, parsed with strict patterns: a request names a map key
 * (rendition id, instance tag, numbers), never a file, so no path can reach the disk.
 *
 *   index.m3u8                           master playlist (?format=ts: variants point at TS playlists)
 *   <rendition>                          `src` (the source) or an ABR rendition's name (`480p`)
 *   <rendition>/media.m3u8               fMP4 media playlist (LL-HLS in low latency mode)
 *   <rendition>/ts.m3u8                  MPEG-TS media playlist
 *   <rendition>/init-<inst>-<n>.mp4      fMP4 init segment (EXT-X-MAP)
 *   <rendition>/seg-<inst>-<msn>.m4s     fMP4 segment
 *   <rendition>/part-<inst>-<msn>-<i>.m4s  LL-HLS part
 *   <rendition>/seg-<inst>-<msn>.ts      MPEG-TS segment
 *
 * <inst> names the packager instance: a stream that ended and was published again restarts its media
 * sequence, and immutable caches must not serve the old bytes for the new names.
 */
import { RENDITION_NAME } from '../../../../services/streams/stream-types.js';

export type HlsResource =
  | { readonly kind: 'master' }
  | { readonly kind: 'media'; readonly rendition: string; readonly format: 'fmp4' | 'ts' }
  | { readonly kind: 'init'; readonly rendition: string; readonly inst: string; readonly initId: number }
  | { readonly kind: 'segment'; readonly rendition: string; readonly inst: string; readonly msn: number; readonly format: 'fmp4' | 'ts' }
  | { readonly kind: 'part'; readonly rendition: string; readonly inst: string; readonly msn: number; readonly index: number };

const NUM = '(0|[1-9][0-9]{0,14})';
/** `src` or an ABR rendition's name (RENDITION_NAME: custom rungs like `hd_720`), as a capture group. */
const REND = `(${RENDITION_NAME.source.slice(1, -1)})`;
const INST = '([a-z0-9]{1,16})';
const MEDIA = new RegExp(`^${REND}/(media|ts)\\.m3u8$`);
const INIT = new RegExp(`^${REND}/init-${INST}-${NUM}\\.mp4$`);
const SEGMENT = new RegExp(`^${REND}/seg-${INST}-${NUM}\\.(m4s|ts)$`);
const PART = new RegExp(`^${REND}/part-${INST}-${NUM}-${NUM}\\.m4s$`);

export function parseHlsPath(tail: string): HlsResource | undefined {
  if (tail === 'index.m3u8') return { kind: 'master' };
  // One pattern per request, picked by the file name's first letter (every name's first letter differs by kind).
  const file = tail.charCodeAt(tail.lastIndexOf('/') + 1);
  let m: RegExpExecArray | null;
  switch (file) {
    case 0x70: // p
      m = PART.exec(tail);
      return m ? { kind: 'part', rendition: m[1]!, inst: m[2]!, msn: Number(m[3]), index: Number(m[4]) } : undefined;
    case 0x73: // s
      m = SEGMENT.exec(tail);
      return m ? { kind: 'segment', rendition: m[1]!, inst: m[2]!, msn: Number(m[3]), format: m[4] === 'ts' ? 'ts' : 'fmp4' } : undefined;
    case 0x6d: // m
    case 0x74: // t
      m = MEDIA.exec(tail);
      return m ? { kind: 'media', rendition: m[1]!, format: m[2] === 'ts' ? 'ts' : 'fmp4' } : undefined;
    case 0x69: // i
      m = INIT.exec(tail);
      return m ? { kind: 'init', rendition: m[1]!, inst: m[2]!, initId: Number(m[3]) } : undefined;
    default:
      return undefined;
  }
}
