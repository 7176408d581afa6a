import { MAX_STREAM_ID_LENGTH } from './limits.js';

export type StreamIdMode = 'publish' | 'request';

export type ParsedStreamId =
  | { readonly ok: true; readonly mode: StreamIdMode; readonly resource: string; readonly user?: string }
  | { readonly ok: false; readonly reason: string; readonly unsupportedMode?: boolean };

const KEYED_PREFIX = '#!::';
/** Keys of the access-control convention we read; other single letters are reserved, and ignored. */
const MAX_PAIRS = 32;

/**
 * Reads what a caller asks for from its stream ID (libsrt docs/features/access-control.md):
 * `#!::r=live/KEY,m=publish` (keyed; `m` defaults to request), MediaMTX's `publish:live/KEY` and
 * `read:live/ID`, or a plain `live/KEY`, which publishes (what encoders without the keyed syntax send).
 * Only the shape is checked here; the resource is validated as a stream name by auth.
 */
export function parseStreamId(sid: string): ParsedStreamId {
  if (sid.length === 0) return { ok: false, reason: 'empty stream id' };
  if (Buffer.byteLength(sid) > MAX_STREAM_ID_LENGTH) return { ok: false, reason: 'stream id too long' };
  if (sid.startsWith('#!')) return parseKeyed(sid);
  if (sid.startsWith('publish:')) return { ok: true, mode: 'publish', resource: sid.slice('publish:'.length) };
  if (sid.startsWith('read:')) return { ok: true, mode: 'request', resource: sid.slice('read:'.length) };
  return { ok: true, mode: 'publish', resource: sid };
}

function parseKeyed(sid: string): ParsedStreamId {
  if (!sid.startsWith(KEYED_PREFIX)) return { ok: false, reason: 'only the "#!::key=value,..." stream id syntax is supported' };
  const pairs = sid.slice(KEYED_PREFIX.length).split(',');
  if (pairs.length > MAX_PAIRS) return { ok: false, reason: 'too many stream id keys' };
  const values = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return { ok: false, reason: 'stream id key without a value' };
    const key = pair.slice(0, eq);
    if (values.has(key)) return { ok: false, reason: `stream id key "${key.slice(0, 16)}" given twice` };
    values.set(key, pair.slice(eq + 1));
  }
  const resource = values.get('r');
  if (!resource) return { ok: false, reason: 'stream id has no resource (r=)' };
  const type = values.get('t');
  if (type !== undefined && type !== 'stream') return { ok: false, reason: `stream id type "${type.slice(0, 16)}" is not supported`, unsupportedMode: true };
  const m = values.get('m') ?? 'request';
  if (m !== 'publish' && m !== 'request') return { ok: false, reason: `stream id mode "${m.slice(0, 16)}" is not supported`, unsupportedMode: true };
  const user = values.get('u');
  return user === undefined ? { ok: true, mode: m, resource } : { ok: true, mode: m, resource, user };
}
