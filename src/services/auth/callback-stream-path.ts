import { INGEST_APP } from '../streams/stream-urls.js';
import type { CallbackResult } from './publish-callback.js';

/** A public name a callback may return: one segment that the HLS and HTTP-FLV URLs can address (`/hls/<name>/`). */
const PUBLIC_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export type CallbackStreamPath = { ok: true; streamPath: string } | { ok: false; reason: string };

/**
 * Where a callback-authorised publish goes, which is the path viewers use: `live/<name>` for the `name` the
 * callback answered. The publish name is often the encoder's secret (the OBS "Stream Key" field), so without a
 * usable `name` (none, invalid, or an answer that is not readable JSON) the publish is refused, unless the
 * operator said publish names are public (`--auth-callback-keep-name`): then it keeps its canonical path.
 */
export function callbackStreamPath(answer: Extract<CallbackResult, { allowed: true }>, publishPath: string, keepName: boolean): CallbackStreamPath {
  if (typeof answer.name === 'string' && PUBLIC_NAME.test(answer.name)) return { ok: true, streamPath: `${INGEST_APP}/${answer.name.toLowerCase()}` };
  if (keepName) return { ok: true, streamPath: publishPath };
  const named = answer.name !== undefined || (answer.ignored ?? []).includes('name');
  const why = answer.unreadable ?? (named ? '"name" is not 1-128 of [A-Za-z0-9_-]' : 'no "name"');
  return { ok: false, reason: `callback answer named no stream (${why})` };
}
