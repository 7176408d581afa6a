import { PLAYBACK_ID_MAX_LENGTH } from './limits.js';

/**
 * The one playback-id rule of every playback URL: open-mode stream names and API playback ids both fit
 * `[A-Za-z0-9_-]`. Anything else is a 404 before any lookup, so no path trickery reaches auth or the hub.
 */
const PLAYBACK_ID = new RegExp(`^[A-Za-z0-9_-]{1,${PLAYBACK_ID_MAX_LENGTH}}$`);

/** `id` when it is a well-formed playbackId, else undefined. */
export function playbackIdOf(id: string): string | undefined {
  return PLAYBACK_ID.test(id) ? id : undefined;
}

/** The playbackId of a `<playbackId><extension>` path segment (`abc.flv`), or undefined. */
export function playbackIdOfFile(file: string, extension: string): string | undefined {
  if (!file.endsWith(extension)) return undefined;
  return playbackIdOf(file.slice(0, -extension.length));
}

/**
 * The raw query string of a request URL, without the `?`: what authorizePlay checks (a playback token),
 * exactly as the client sent it, not fastify's parsed and re-joined copy.
 */
export function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}
