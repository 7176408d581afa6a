import { OnAirError } from '../../core/errors.js';
import { RENDITION_NAME } from '../streams/stream-types.js';
import { MASK_MIN_KEY_LENGTH, MASK_SHOWN_CHARS, MAX_TARGET_KEY_LENGTH, MAX_TARGET_URL_LENGTH } from './limits.js';
import { SOURCE_RENDITION } from './target-types.js';

/**
 * Checks an ingest URL and returns it normalised (no trailing slash). rtmp:// or rtmps:// with a host and an
 * app path; no credentials (they would be a second, unmasked secret) and no fragment. Any host is allowed:
 * targets are destinations the operator chooses through the admin API, public or private.
 */
export function checkTargetUrl(url: string): string {
  if (url.length > MAX_TARGET_URL_LENGTH) throw malformed(`url is longer than ${MAX_TARGET_URL_LENGTH} characters`);
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw malformed('url is not an absolute URL');
  }
  if (u.protocol !== 'rtmp:' && u.protocol !== 'rtmps:') throw malformed('url must start with rtmp:// or rtmps://');
  if (!u.hostname) throw malformed('url has no host');
  if (u.username || u.password) throw malformed('url must not carry credentials');
  if (u.hash) throw malformed('url must not have a #fragment');
  if (u.port === '0') throw malformed('url port must be 1-65535');
  const path = u.pathname.replace(/\/+$/, '');
  if (path.replace(/^\/+/, '') === '') throw malformed('url needs an application path (rtmp://host/app); the stream key goes in streamKey');
  // rtmp is not a "special" scheme to WHATWG URL, so the host keeps its case; host names are case-insensitive.
  return `${u.protocol}//${u.host.toLowerCase()}${path}${u.search}`;
}

/** The key is sent as the publish name: printable, no spaces (a pasted key often ends with a newline). */
export function checkStreamKey(key: string): string {
  if (key.length === 0) throw malformed('streamKey is empty');
  if (key.length > MAX_TARGET_KEY_LENGTH) throw malformed(`streamKey is longer than ${MAX_TARGET_KEY_LENGTH} characters`);
  if (/[\u0000-\u0020\u007f]/.test(key)) throw malformed('streamKey must not contain spaces or control characters');
  return key;
}

/** `source`, or a ladder rung name (the stream's ladder may change, so any valid name is accepted). */
export function checkRendition(rendition: string): string {
  if (rendition !== SOURCE_RENDITION && !RENDITION_NAME.test(rendition)) throw malformed('rendition must be "source" or a ladder rung name ([a-z0-9_-], up to 32)');
  return rendition;
}

/** What responses show of a key: its last few characters when it is long enough, else nothing. */
export function maskKey(key: string): string {
  return key.length >= MASK_MIN_KEY_LENGTH ? `****${key.slice(-MASK_SHOWN_CHARS)}` : '****';
}

/** Removes every occurrence of `key` from a message that came from the remote side (a server may echo the name). */
export function withoutKey(message: string, key: string): string {
  return key.length > 0 ? message.split(key).join('[key]') : message;
}

function malformed(message: string): OnAirError {
  return new OnAirError('ONAIR_ERR_MALFORMED', message);
}
