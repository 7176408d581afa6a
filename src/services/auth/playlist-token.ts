/**
 * For `playbackPolicy: signed`: the HLS server calls this on every playlist it serves with the token from the
 * playlist request, so each URI the player follows (media playlists, segments, EXT-X-MAP, LL-HLS parts,
 * preload hints, rendition reports) carries the same `token` and passes authorizePlay.
 */
const URI_ATTRIBUTE = /URI="([^"]*)"/g;

export function withToken(uri: string, token: string): string {
  const sep = uri.includes('?') ? '&' : '?';
  return `${uri}${sep}token=${encodeURIComponent(token)}`;
}

export function appendPlaybackToken(playlist: string, token: string): string {
  return playlist
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (!trimmed.startsWith('#')) return line.replace(trimmed, withToken(trimmed, token));
      return line.replace(URI_ATTRIBUTE, (_m, uri: string) => `URI="${withToken(uri, token)}"`);
    })
    .join('\n');
}
