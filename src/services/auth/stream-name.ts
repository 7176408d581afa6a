import { CANONICAL_NAME_MEMO_MAX, MAX_RAW_NAME_LENGTH, MAX_SEGMENTS, MAX_SEGMENT_LENGTH } from './limits.js';

export type CanonicalName =
  | { readonly ok: true; readonly segments: readonly string[]; readonly path: string; readonly query: string }
  | { readonly ok: false; readonly reason: string };

/**
 * A segment: ASCII letters, digits, `_`, `-`, `~`, and inner dots. Checked BEFORE lower-casing so a
 * non-ASCII letter that lower-cases to ASCII (U+212A KELVIN SIGN -> `k`) can never alias another name;
 * no leading/trailing dot and no `..` so no segment is a relative path or a Windows-trimmed file name.
 */
const SEGMENT = /^[A-Za-z0-9_~-](?:[A-Za-z0-9_.~-]*[A-Za-z0-9_~-])?$/;

/**
 * Reduces every spelling of an RTMP app + stream name to one canonical path, so an authorisation for A can
 * never land in B: the query (after `?` in either part) is split off, percent-encoding decoded once,
 * empty segments (`//`, leading and trailing `/`) dropped, each segment whitelisted, then lower-cased.
 * A double-encoded `%2541` decodes to `%41`, which the whitelist refuses rather than decoding again.
 * `app` may itself carry the name (`live/KEY`, an OBS Server field with the key pasted in): the result is
 * the same as `app=live, name=KEY`.
 */
export function canonicalizeName(app: string, name: string, query = ''): CanonicalName {
  if (app.length + name.length + query.length > MAX_RAW_NAME_LENGTH) return { ok: false, reason: 'name too long' };
  const key = `${app.length}:${app}${name.length}:${name}${query}`;
  let c = memo.get(key);
  if (c) return c;
  c = canonicalize(app, name, query);
  if (memo.size >= CANONICAL_NAME_MEMO_MAX) memo.clear();
  memo.set(key, c);
  return c;
}

/** canonicalizeName's results, keyed by app and name length-prefixed (no two inputs share a key), then the query; bounded. */
const memo = new Map<string, CanonicalName>();

function canonicalize(app: string, name: string, query: string): CanonicalName {
  const queries = query ? [query.replace(/^\?/, '')] : [];
  const segments: string[] = [];
  for (const part of [app, name]) {
    const q = part.indexOf('?');
    const pathPart = q === -1 ? part : part.slice(0, q);
    if (q !== -1 && part.length > q + 1) queries.push(part.slice(q + 1));
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathPart);
    } catch {
      return { ok: false, reason: 'malformed percent-encoding' };
    }
    for (const seg of decoded.split('/')) {
      if (seg === '') continue;
      if (seg.length > MAX_SEGMENT_LENGTH) return { ok: false, reason: 'name segment too long' };
      if (!SEGMENT.test(seg) || seg.includes('..')) return { ok: false, reason: 'name has characters outside [A-Za-z0-9._~-]' };
      segments.push(seg.toLowerCase());
    }
  }
  if (segments.length === 0) return { ok: false, reason: 'empty name' };
  if (segments.length > MAX_SEGMENTS) return { ok: false, reason: 'too many path segments' };
  return { ok: true, segments, path: segments.join('/'), query: queries.join('&') };
}
