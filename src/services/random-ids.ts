import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Lowercase base32 (RFC 4648 alphabet, lowercased). Lowercase because publish and play names are
 * case-folded during canonicalization (auth/stream-name.ts): an id or key that had upper-case letters could
 * never be matched again. 32 divides 256, so `byte & 31` is uniform: 5 bits of entropy per character.
 */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function randomBase32(chars: number): string {
  const bytes = randomBytes(chars);
  let out = '';
  for (let i = 0; i < chars; i++) out += BASE32[bytes[i]! & 31];
  return out;
}

/** Stream key: `sk_` + 32 chars = 160 bits (the issue asks >= 128). Only [a-z0-9_] so it survives canonicalization. */
export function newStreamKey(): string {
  return `sk_${randomBase32(32)}`;
}

/** Playback id: 24 chars = 120 bits; public but unguessable, so an unlisted stream stays unlisted. */
export function newPlaybackId(): string {
  return randomBase32(24);
}

/** Resource ids: a type prefix (readable in logs and support tickets) + 20 chars (100 bits). */
export function newId(prefix: 'str' | 'ses' | 'whe' | 'whd' | 'evt' | 'tok' | 'tgt' | 'ast'): string {
  return `${prefix}_${randomBase32(20)}`;
}

/** A secret shown to its owner (webhook signing secret, admin token): 32 random bytes, base64url. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time string equality: both sides are hashed first so lengths never leak through an early exit. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** Whether `id` has the shape newId(prefix) makes: a cheap refusal before any lookup. */
export function isResourceId(prefix: 'str' | 'ses' | 'whe' | 'whd' | 'evt' | 'tok' | 'ast', id: string): boolean {
  return id.length === prefix.length + 21 && id.startsWith(`${prefix}_`) && /^[a-z2-7]{20}$/.test(id.slice(prefix.length + 1));
}
