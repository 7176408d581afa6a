import { createHmac, timingSafeEqual } from 'node:crypto';

/** The query parameter an internal pull carries its token in (`?onair_edge=<exp>.<mac>`). */
export const EDGE_TOKEN_PARAM = 'onair_edge';

/** Lifetime of a pull token: it only has to survive the connect and play of one pull attempt. */
export const EDGE_TOKEN_TTL_SEC = 60;

/**
 * A token that lets one node play `path` from another without viewer auth: HMAC-SHA256 of the path and an
 * expiry under the cluster's shared secret. It names the stream path, never a stream key, and is never logged.
 */
export function signEdgeToken(secret: string, path: string, nowSec = Math.floor(Date.now() / 1000), ttlSec = EDGE_TOKEN_TTL_SEC): string {
  const exp = nowSec + ttlSec;
  return `${exp}.${mac(secret, path, exp)}`;
}

export type EdgeTokenCheck = { ok: true } | { ok: false; reason: 'malformed' | 'expired' | 'bad_signature' | 'no_secret' };

/** Checks a token for `path`; constant-time on the signature. */
export function verifyEdgeToken(secret: string, path: string, token: string, nowSec = Math.floor(Date.now() / 1000)): EdgeTokenCheck {
  if (!secret) return { ok: false, reason: 'no_secret' };
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const exp = Number(m[1]);
  if (exp < nowSec) return { ok: false, reason: 'expired' };
  const want = Buffer.from(mac(secret, path, exp));
  const got = Buffer.from(m[2]!);
  return want.length === got.length && timingSafeEqual(want, got) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

function mac(secret: string, path: string, exp: number): string {
  return createHmac('sha256', secret).update(`onair-edge\n${path}\n${exp}`).digest('base64url');
}
