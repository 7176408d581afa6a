import { OnAirError } from '../../../core/errors.js';
import { MAX_NAME_LENGTH } from './limits.js';

export interface StreamName {
  /** The name without its query string, as the client sent it (not yet canonical: auth canonicalizes). */
  readonly name: string;
  /** The raw query string without `?` (ffmpeg keeps `?query` in the stream name). */
  readonly query: string;
}

/**
 * Splits a publish/play name into name and query and rejects what no valid name contains: control
 * characters, NUL, absurd length. Canonical form and whitelist checks belong to the auth service, which
 * sees every protocol; this only keeps obviously hostile bytes out of logs and maps.
 */
export function parseStreamName(raw: string): StreamName {
  if (raw.length === 0) throw new OnAirError('ONAIR_ERR_BAD_NAME', 'empty stream name');
  if (raw.length > MAX_NAME_LENGTH) throw new OnAirError('ONAIR_ERR_BAD_NAME', `stream name longer than ${MAX_NAME_LENGTH}`);
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new OnAirError('ONAIR_ERR_BAD_NAME', 'control character in stream name');
  const q = raw.indexOf('?');
  return q === -1 ? { name: raw, query: '' } : { name: raw.slice(0, q), query: raw.slice(q + 1) };
}

/** App names: a conservative whitelist (`live`, `live/sub`), checked before the name is used anywhere. */
export function checkAppName(app: string): string {
  const clean = app.replace(/\/+$/, '');
  if (!/^[A-Za-z0-9_-]{1,64}(\/[A-Za-z0-9_-]{1,64}){0,3}$/.test(clean)) {
    throw new OnAirError('ONAIR_ERR_BAD_NAME', 'app name fails the whitelist');
  }
  return clean;
}
