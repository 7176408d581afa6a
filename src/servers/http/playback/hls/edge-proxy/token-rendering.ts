import { createHash } from 'node:crypto';
import type { RenderedPlaylist } from '../playlist-cache.js';
import type { CachedAnswer } from './answer-cache.js';
import { TOKEN_PLACEHOLDER } from './upstream-query.js';

const PLACEHOLDER_BYTES = Buffer.from(TOKEN_PLACEHOLDER);
/** Per cached playlist, the viewer-token renderings kept (viewers usually share few tokens; past this, rendered again). */
const TOKEN_RENDERINGS = 16;

/** The playlist with this viewer's token on every URI (made once per token per upstream playlist). */
export function rendering(entry: CachedAnswer, token: string): RenderedPlaylist {
  let hit = entry.renderings?.get(token);
  if (hit) return hit;
  const { body, etag } = entry.answer;
  entry.pieces ??= split(body, PLACEHOLDER_BYTES);
  const encoded = Buffer.from(encodeURIComponent(token));
  const parts: Buffer[] = [];
  for (let i = 0; i < entry.pieces.length; i++) {
    if (i > 0) parts.push(encoded);
    parts.push(entry.pieces[i]!);
  }
  // The owner's ETag names the placeholder rendering; this one also depends on the token.
  const tag = createHash('sha256').update(token).digest('base64url').slice(0, 12);
  hit = { body: Buffer.concat(parts), etag: etag.endsWith('"') ? `${etag.slice(0, -1)}-${tag}"` : `"${tag}"` };
  entry.renderings ??= new Map();
  if (entry.renderings.size >= TOKEN_RENDERINGS) entry.renderings.clear();
  entry.renderings.set(token, hit);
  return hit;
}

function split(body: Buffer, sep: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let at = body.indexOf(sep, from); at >= 0; at = body.indexOf(sep, from)) {
    out.push(body.subarray(from, at));
    from = at + sep.length;
  }
  out.push(body.subarray(from));
  return out;
}
