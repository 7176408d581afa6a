import type { HlsQuery } from '../hls-serving.js';

/**
 * What the edge asks the owner for in place of a viewer's playback token: the owner writes it onto every URI of
 * the playlist (as it writes a viewer's token), and the edge puts each viewer's own token there. One upstream
 * playlist then serves viewers with any token; unreserved characters only, so the owner's URI encoding keeps it.
 */
export const TOKEN_PLACEHOLDER = 'onairEdgeViewerToken0';
/** Delivery directives and the master's format: the only query parameters that change the owner's answer. */
const FORWARDED_PARAMS = ['_HLS_msn', '_HLS_part', '_HLS_skip', 'format'] as const;

/** The query the owner gets: directives and format in a fixed order (one cache key per distinct answer), the placeholder token. */
export function upstreamQuery(query: HlsQuery, token: boolean): string {
  let q = '';
  for (const name of FORWARDED_PARAMS) {
    const v = query[name];
    for (const one of typeof v === 'string' ? [v] : v ?? []) q += `${q ? '&' : '?'}${name}=${encodeURIComponent(one)}`;
  }
  return token ? `${q}${q ? '&' : '?'}token=${TOKEN_PLACEHOLDER}` : q;
}
