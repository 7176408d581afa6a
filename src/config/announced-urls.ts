import { isIPv6 } from 'node:net';
import type { Config } from './schema.js';

/**
 * The URLs the start-up line shows: on the --public-url host when one is set, else on the address the server
 * was told to bind (--host), and `localhost` for the wildcard addresses, matching the README's quick start.
 */
export function announcedUrls(config: Pick<Config, 'publicUrl' | 'host'>, ports: { rtmp: number; rtmps?: number; http: number }): Record<string, string> {
  const pub = config.publicUrl ? new URL(config.publicUrl) : undefined;
  const bound = ['', '0.0.0.0', '::', '[::]'].includes(config.host) ? 'localhost' : config.host;
  const host = pub?.hostname ?? (isIPv6(bound) ? `[${bound}]` : bound);
  return {
    rtmp: `rtmp://${host}:${ports.rtmp}/live`,
    ...(ports.rtmps ? { rtmps: `rtmps://${host}:${ports.rtmps}/live` } : {}),
    http: pub ? pub.origin : `http://${host}:${ports.http}`,
  };
}
