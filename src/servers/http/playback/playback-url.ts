import { RENDITION_NAME } from '../../../services/streams/stream-types.js';
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
 * The stream name of a `<playbackId>/<rendition><extension>` URL (`abc/480p.flv`: `abc/480p`, an ABR rendition,
 * which play authorization maps to `live/abc/480p` under the source's policy), or undefined.
 */
export function renditionNameOfFile(id: string, file: string, extension: string): string | undefined {
  const playbackId = playbackIdOf(id);
  if (!playbackId || !file.endsWith(extension)) return undefined;
  const rendition = file.slice(0, -extension.length);
  return RENDITION_NAME.test(rendition) ? `${playbackId}/${rendition}` : undefined;
}

/**
 * The raw query string of a request URL, without the `?`: what authorizePlay checks (a playback token),
 * exactly as the client sent it, not fastify's parsed and re-joined copy.
 */
export function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}
