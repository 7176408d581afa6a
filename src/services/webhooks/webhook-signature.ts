import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `OnAir-Signature: t=<unix>,v1=<hex hmac-sha256(secret, "<t>.<body>")>` (the Stripe scheme): the timestamp
 * is signed with the body so a receiver can refuse replays older than its tolerance.
 */
export function signWebhook(secret: string, body: string, tSec: number): string {
  const v1 = createHmac('sha256', secret).update(`${tSec}.${body}`, 'utf8').digest('hex');
  return `t=${tSec},v1=${v1}`;
}

/** Receiver side (used by tests, documented for integrators): true when a v1 matches and t is within tolerance. */
export function verifyWebhookSignature(secret: string, body: string, header: string, nowSec: number, toleranceSec = 300): boolean {
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const k = item.slice(0, eq).trim();
    parts.set(k, [...(parts.get(k) ?? []), item.slice(eq + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t) || Math.abs(nowSec - t) > toleranceSec) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest();
  return (parts.get('v1') ?? []).some((sig) => {
    const given = Buffer.from(sig, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
