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
  return `${exp}.${mac(secret, RTMP_SCOPE, path, exp)}`;
}

export type EdgeTokenCheck = { ok: true } | { ok: false; reason: 'malformed' | 'expired' | 'bad_signature' | 'no_secret' };

/** Checks a token for `path`; constant-time on the signature. */
export function verifyEdgeToken(secret: string, path: string, token: string, nowSec = Math.floor(Date.now() / 1000)): EdgeTokenCheck {
  return verifyScoped(secret, RTMP_SCOPE, path, token, nowSec);
}

/**
 * The header an edge's HLS request to a stream's owner carries: `<exp>.<mac> <streamPath>`. The MAC covers the
 * stream path the edge authorised its viewer for AND the exact URL path asked (`/hls/<id>/src/part-...m4s`), so a
 * captured header fetches that one object for a few seconds, nothing else; its scope differs from the RTMP pull
 * token's, so neither can stand in for the other.
 */
export const EDGE_HLS_HEADER = 'x-onair-edge';

/**
 * Beside EDGE_HLS_HEADER: the edge reports its own HLS viewers of the stream to the owner (--cluster with health on,
 * app-cluster-audience.ts), so the owner does not count the edge's requests as a session or their bytes as bytes out
 * (they would be counted twice). Without it (health off on the edge) the edge stays one session at the owner.
 */
export const EDGE_VIEWERS_HEADER = 'x-onair-edge-viewers';

/** Lifetime of an HLS edge request's token: one request (a blocking reload included) and some clock skew. */
export const EDGE_HLS_TOKEN_TTL_SEC = 30;

const RTMP_SCOPE = 'onair-edge';
const HLS_SCOPE = 'onair-edge-hls';
/** A hub stream path as the edge names it (`live/<id>`, at most a rendition deeper); anything else is malformed. */
const STREAM_PATH = /^[A-Za-z0-9_-]{1,64}(\/[A-Za-z0-9_-]{1,128}){1,2}$/;

export function signEdgeHlsRequest(secret: string, urlPath: string, streamPath: string, nowSec = Math.floor(Date.now() / 1000), ttlSec = EDGE_HLS_TOKEN_TTL_SEC): string {
  const exp = nowSec + ttlSec;
  return `${exp}.${mac(secret, HLS_SCOPE, `${streamPath}\n${urlPath}`, exp)} ${streamPath}`;
}

export type EdgeHlsCheck = { ok: true; streamPath: string } | { ok: false; reason: 'malformed' | 'expired' | 'bad_signature' | 'no_secret' };

/** Checks an EDGE_HLS_HEADER value for the URL path it arrived on; the stream path it names is trusted once it verifies. */
export function verifyEdgeHlsRequest(secret: string, urlPath: string, header: string, nowSec = Math.floor(Date.now() / 1000)): EdgeHlsCheck {
  const space = header.indexOf(' ');
  const streamPath = space < 0 ? '' : header.slice(space + 1);
  if (!STREAM_PATH.test(streamPath)) return { ok: false, reason: secret ? 'malformed' : 'no_secret' };
  const check = verifyScoped(secret, HLS_SCOPE, `${streamPath}\n${urlPath}`, header.slice(0, space), nowSec);
  return check.ok ? { ok: true, streamPath } : check;
}

function verifyScoped(secret: string, scope: string, subject: string, token: string, nowSec: number): EdgeTokenCheck {
  if (!secret) return { ok: false, reason: 'no_secret' };
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const exp = Number(m[1]);
  if (exp < nowSec) return { ok: false, reason: 'expired' };
  const want = Buffer.from(mac(secret, scope, subject, exp));
  const got = Buffer.from(m[2]!);
  return want.length === got.length && timingSafeEqual(want, got) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

function mac(secret: string, scope: string, subject: string, exp: number): string {
  return createHmac('sha256', secret).update(`${scope}\n${subject}\n${exp}`).digest('base64url');
}
