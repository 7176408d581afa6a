import { readFileSync } from 'node:fs';
import type { Config } from './schema.js';
import { OnAirError } from '../core/errors.js';

/** The RTMPS certificate and key, read before anything starts; a missing file is one line naming its flag. */
export function readTlsFiles(config: Config): { cert: Buffer; key: Buffer } | undefined {
  if (!config.tlsCert) return undefined;
  const read = (path: string, flag: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new OnAirError('ONAIR_ERR_CONFIG', `cannot read ${path} (${flag}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  return { cert: read(config.tlsCert, '--tls-cert'), key: read(config.tlsKey, '--tls-key') };
}

/**
 * `--takeover auto`: with `--auth open` anyone may publish any name, so a second publisher is refused
 * (nginx-rtmp's behaviour); in the other modes the second publisher proved it holds the stream's key (or the
 * callback allowed it), so it replaces the first, as an encoder reconnecting after a network change needs.
 */
export function takeoverPolicy(config: Config): 'takeover' | 'reject' {
  if (config.takeover !== 'auto') return config.takeover;
  return config.auth === 'open' ? 'reject' : 'takeover';
}

/** Settings that only make sense together, checked before anything is created (the auth services check again). */
export function checkAuthSettings(config: Config): void {
  if (config.auth === 'signed' && !config.publishSecret) throw new OnAirError('ONAIR_ERR_CONFIG', '--auth signed needs --publish-secret');
  if (config.auth === 'callback' && !config.authCallbackUrl) throw new OnAirError('ONAIR_ERR_CONFIG', '--auth callback needs --auth-callback-url');
}
