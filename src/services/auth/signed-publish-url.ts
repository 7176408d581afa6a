import { createHmac, timingSafeEqual } from 'node:crypto';
import { PUBLISH_SIG_HEX_LENGTH } from './limits.js';

/** The signed string: `<app>/<key>:<exp>` with the canonical (lower-case) app and key. */
function signature(secret: string, app: string, key: string, exp: number): Buffer {
  return createHmac('sha256', secret).update(`${app}/${key}:${exp}`, 'utf8').digest();
}

/** Query string for a signed publish URL: append `?` + this to `rtmp://host/live/<key>`. */
export function signPublishQuery(secret: string, app: string, key: string, exp: number): string {
  return `exp=${exp}&sig=${signature(secret, app, key, exp).toString('hex')}`;
}

export type SignedUrlCheck = { ok: true } | { ok: false; reason: string };

/** Checks `exp` and `sig` from the query: present, not expired at `nowSec`, and an HMAC match in constant time. */
export function verifyPublishQuery(secret: string, app: string, key: string, query: string, nowSec: number): SignedUrlCheck {
  const params = new URLSearchParams(query);
  const expText = params.get('exp');
  const sig = params.get('sig');
  if (expText === null || sig === null) return { ok: false, reason: 'missing exp or sig' };
  if (!/^\d{1,12}$/.test(expText)) return { ok: false, reason: 'exp is not a unix time' };
  if (sig.length !== PUBLISH_SIG_HEX_LENGTH || !/^[0-9a-fA-F]+$/.test(sig)) return { ok: false, reason: 'sig is not hex HMAC-SHA256' };
  const exp = Number(expText);
  const expected = signature(secret, app, key, exp);
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return { ok: false, reason: 'bad signature' };
  // Expiry after the signature so a forged exp and an honest expired URL are told apart in logs only.
  if (nowSec > exp) return { ok: false, reason: 'signed URL expired' };
  return { ok: true };
}
