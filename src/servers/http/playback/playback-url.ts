import { PLAYBACK_ID_PATTERN } from './limits.js';

/** The playbackId of a `<playbackId>.flv` path segment, or undefined when it fails the strict pattern. */
export function playbackIdOfFlvFile(file: string): string | undefined {
  if (!file.endsWith('.flv')) return undefined;
  return playbackIdOf(file.slice(0, -'.flv'.length));
}

/** `id` when it is a well-formed playbackId, else undefined. */
export function playbackIdOf(id: string): string | undefined {
  return PLAYBACK_ID_PATTERN.test(id) ? id : undefined;
}

/** The raw query string of a request URL (for playback tokens), without the `?`. */
export function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}
