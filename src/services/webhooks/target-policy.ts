import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { OnAirError } from '../../core/errors.js';

/**
 * Addresses that are not on the public internet: webhooks must not become a way for an API client to reach the
 * server's own loopback, its cloud metadata service (169.254.169.254) or the private network behind it.
 */
const NON_PUBLIC_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const NON_PUBLIC_V6: readonly [string, number][] = [
  ['::', 96], ['100::', 64], ['2001:db8::', 32], ['2001:10::', 28], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];

/** Resolves a host name to every address (node's dns.lookup, or a stand-in in tests). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname) => new Promise((resolve, reject) => {
  dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
});

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Which addresses webhooks may be sent to: public ones, plus the networks the operator allows
 * (`--webhook-allow-networks`). Checked when an endpoint is created or changed (so the mistake shows at once)
 * and again at every delivery through `lookup`, which the HTTP request connects with: it connects only to an
 * address it checked, so a name that resolves elsewhere later (DNS rebinding) gains nothing.
 */
export class WebhookTargetPolicy {
  private readonly denied = new BlockList();
  private readonly allowed = new BlockList();

  constructor(allowNetworks = '', private readonly resolve: Resolve = systemResolve) {
    for (const [a, bits] of NON_PUBLIC_V4) this.denied.addSubnet(a, bits, 'ipv4');
    for (const [a, bits] of NON_PUBLIC_V6) this.denied.addSubnet(a, bits, 'ipv6');
    for (const item of allowNetworks.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [addr = '', bitsText, extra] = item.split('/');
      const family = isIP(addr);
      const max = family === 6 ? 128 : 32;
      const bits = bitsText === undefined ? max : Number(bitsText);
      if (!family || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > max || (bitsText !== undefined && !/^\d+$/.test(bitsText))) {
        throw new OnAirError('ONAIR_ERR_CONFIG', `--webhook-allow-networks: ${JSON.stringify(item)} is not a CIDR (e.g. 10.0.0.0/8 or 127.0.0.1/32)`);
      }
      this.allowed.addSubnet(addr, bits, family === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** Why `address` may not receive webhooks, or null when it may. */
  refusal(address: string): string | null {
    const family = isIP(address);
    if (!family) return `${address} is not an IP address`;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (this.allowed.check(address, type)) return null;
    const embedded = family === 6 ? embeddedIpv4(address) : undefined;
    if (embedded !== undefined && this.allowed.check(embedded, 'ipv4')) return null;
    if (this.denied.check(address, type) || (embedded !== undefined && this.denied.check(embedded, 'ipv4'))) {
      return `${address} is not a public address (webhooks go to public addresses unless --webhook-allow-networks allows it)`;
    }
    return null;
  }

  /**
   * Checks a URL when an endpoint is created or changed: an address literal must be allowed, and a name must not
   * resolve only to refused addresses. A name that does not resolve now is accepted (the check at delivery holds).
   */
  async checkUrl(url: URL): Promise<void> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await this.resolve(host)).map((a) => a.address);
      } catch {
        return;
      }
    }
    const refusals = addresses.map((a) => this.refusal(a));
    if (addresses.length > 0 && refusals.every((r) => r !== null)) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `url: ${host === url.hostname ? host : url.hostname}: ${refusals[0]}`);
    }
  }

  /** `lookup` for http.request: resolves, drops refused addresses, fails when none is left. */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    this.resolve(hostname).then((addresses) => {
      const usable = addresses.filter((a) => this.refusal(a.address) === null && (!options.family || a.family === options.family));
      if (usable.length === 0) {
        const why = addresses[0] ? this.refusal(addresses[0].address) ?? 'no usable address' : 'no address';
        return callback(Object.assign(new Error(`${hostname}: ${why}`), { code: 'ONAIR_WEBHOOK_TARGET_REFUSED' }), '');
      }
      if (options.all) callback(null, usable);
      else callback(null, usable[0]!.address, usable[0]!.family);
    }, (err: NodeJS.ErrnoException) => callback(err, ''));
  };
}

/**
 * The IPv4 address inside an IPv6 one that carries it: IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and
 * 6to4 (2002:AABB:CCDD::/16); each reaches the IPv4 host, so each is judged as that host.
 */
export function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 5) && groups[5] === 0xffff) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!);
  return undefined;
}

/** Eight 16-bit groups of an IPv6 address (with `::` and a trailing dotted quad), or undefined. */
function expandIpv6(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.toLowerCase().replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}
