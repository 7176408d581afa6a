import { isIP } from 'node:net';
import { OnAirError } from '../../core/errors.js';

/**
 * `--trust-proxy` as Fastify's `trustProxy`: off when empty (X-Forwarded-For is anyone's to forge, and the admin
 * API's failure limit is per client address); `true`; a hop count; or the proxies' addresses and CIDRs. Checked
 * here so a typo is a start-up error naming the flag rather than a proxy silently not trusted.
 */
export function trustProxyOption(value: string): boolean | string | ((address: string, hop: number) => boolean) {
  const v = value.trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_address, hop) => hop < hops; // the nearest `hops` senders are proxies
  }
  for (const item of v.split(',').map((s) => s.trim())) {
    const [addr = '', bits, extra] = item.split('/');
    const family = isIP(addr);
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!family || !okBits || extra !== undefined) {
      throw new OnAirError('ONAIR_ERR_CONFIG', `--trust-proxy: ${JSON.stringify(item)} is not an address or CIDR (use e.g. 127.0.0.1 or 10.0.0.0/8, a hop count, or true)`);
    }
  }
  return v.split(',').map((s) => s.trim()).join(',');
}
