import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_PLAYBACK_TOKEN_LENGTH } from './limits.js';

/**
 * Playback tokens are JWTs (RFC 7519) signed HS256 with the playback secret: `{ sub: <playbackId>, exp,
 * aud: "onair:playback" }`. A JWT so applications can mint their own with any JWT library; one token is
 * valid for every URL of its playback id (playlist, segments, parts), so players append it to each.
 */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
export const PLAYBACK_AUDIENCE = 'onair:playback';

function mac(secret: string, signingInput: string): Buffer {
  return createHmac('sha256', secret).update(signingInput, 'ascii').digest();
}

export function mintPlaybackToken(secret: string, playbackId: string, expSec: number): string {
  const payload = Buffer.from(JSON.stringify({ sub: playbackId, aud: PLAYBACK_AUDIENCE, exp: expSec })).toString('base64url');
  const input = `${HEADER}.${payload}`;
  return `${input}.${mac(secret, input).toString('base64url')}`;
}

/** `expSec`: the token's expiry, so a caller can cache the verdict and close a viewer when it lapses. */
export type PlaybackTokenCheck = { ok: true; expSec: number } | { ok: false; reason: string };

/** Verifies signature (constant time), `alg` exactly HS256 (never `none`), audience, subject and expiry. */
export function verifyPlaybackToken(secret: string, token: string, playbackId: string, nowSec: number): PlaybackTokenCheck {
  if (token.length === 0 || token.length > MAX_PLAYBACK_TOKEN_LENGTH) return { ok: false, reason: 'token missing or too long' };
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p))) return { ok: false, reason: 'token is not a JWT' };
  const [h, p, s] = parts as [string, string, string];
  const expected = mac(secret, `${h}.${p}`);
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad token signature' };
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'token is not a JWT' };
  }
  if (!isObject(header) || header.alg !== 'HS256') return { ok: false, reason: 'token alg must be HS256' };
  if (!isObject(claims)) return { ok: false, reason: 'token claims missing' };
  if (claims.sub !== playbackId) return { ok: false, reason: 'token is for another playback id' };
  if (claims.aud !== undefined && claims.aud !== PLAYBACK_AUDIENCE) return { ok: false, reason: 'token audience mismatch' };
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return { ok: false, reason: 'token has no exp' };
  if (nowSec >= claims.exp) return { ok: false, reason: 'token expired' };
  return { ok: true, expSec: claims.exp };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
