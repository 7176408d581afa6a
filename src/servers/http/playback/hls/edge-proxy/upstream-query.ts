import type { HlsQuery } from '../hls-serving.js';

/**
 * What the edge asks the owner for in place of a viewer's playback token: the owner writes it onto every URI of
 * the playlist (as it writes a viewer's token), and the edge puts each viewer's own token there. One upstream
 * playlist then serves viewers with any token; unreserved characters only, so the owner's URI encoding keeps it.
 */
export const TOKEN_PLACEHOLDER = 'onairEdgeViewerToken0';
/** Delivery directives and the master's format: the only query parameters that change the owner's answer. */
const FORWARDED_PARAMS = ['_HLS_msn', '_HLS_part', '_HLS_skip', 'format'] as const;

/**
 * On a copy's request for a media playlist (NEW_VIEWER_VALUE): it is for a viewer new to the copy, whose first playlist
 * the owner holds for a keyframe start as it would its own new viewer's (HlsServing.firstPlaylistHold). Honoured only
 * on a signed request (register-hls.ts answerEdge); a viewer's own query never reaches an owner with it (FORWARDED_PARAMS).
 */
export const NEW_VIEWER_PARAM = 'onairNewViewer';
export const NEW_VIEWER_VALUE = '1';

/**
 * The query the owner gets: directives and format in a fixed order (one cache key per distinct answer), the placeholder
 * token, and NEW_VIEWER_PARAM for a new viewer's first playlist (its own key: new viewers arriving together share it).
 */
export function upstreamQuery(query: HlsQuery, token: boolean, newViewer = false): string {
  let q = '';
  for (const name of FORWARDED_PARAMS) {
    const v = query[name];
    for (const one of typeof v === 'string' ? [v] : v ?? []) q += `${q ? '&' : '?'}${name}=${encodeURIComponent(one)}`;
  }
  if (token) q += `${q ? '&' : '?'}token=${TOKEN_PLACEHOLDER}`;
  return newViewer ? `${q}${q ? '&' : '?'}${NEW_VIEWER_PARAM}=${NEW_VIEWER_VALUE}` : q;
}
