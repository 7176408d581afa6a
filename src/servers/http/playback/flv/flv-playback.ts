import { flvTracksOf, type FlvTracks } from '../../../../bridges/flv/index.js';
import type { StreamHub } from '../../../../hub/index.js';
import type { ApiErrorCode } from '../../api-errors.js';
import type { PlayAuthRequest } from '../../../auth-port.js';
import type { PlaybackDeps } from '../playback-deps.js';
import { FLV_START_WAIT_MS } from './limits.js';

export type FlvPlaybackTarget =
  | { readonly ok: true; readonly path: string; readonly tracks: FlvTracks; readonly play: PlayAuthRequest }
  | { readonly ok: false; readonly code: ApiErrorCode; readonly message: string; readonly retryAfterSec?: number };

/**
 * Everything a viewer needs settled before the response starts: authorization, a live publisher, and the
 * tracks the FLV header will announce (fixed from the stream's cached configs and metadata).
 */
export async function resolveFlvPlayback(
  deps: PlaybackDeps,
  req: { playbackId: string; query: string; clientIp: string; protocol: 'flv' | 'ws-flv' },
): Promise<FlvPlaybackTarget> {
  const play: PlayAuthRequest = { app: 'live', name: req.playbackId, query: req.query, clientIp: req.clientIp, protocol: req.protocol };
  const decision = deps.decidePlay(play);
  if (!decision.ok) {
    return decision.code === 'unauthorized'
      ? { ok: false, code: 'forbidden', message: 'not authorized' }
      : { ok: false, code: 'stream_not_live', message: 'stream not found' };
  }
  const path = decision.streamPath;
  if (!deps.hub.stream(path)?.publisher && !(await deps.edge?.ensure(path))) {
    // Its owner is gone (a kill -9, a drain) and its publisher on its way to another node: retry, not over.
    return deps.edge?.between(path)
      ? { ok: false, code: 'stream_not_ready', message: 'the stream is between nodes (its publisher is reconnecting): retry', retryAfterSec: 1 }
      : { ok: false, code: 'stream_not_live', message: 'stream not found' };
  }
  if (!(await untilActive(deps.hub, path, FLV_START_WAIT_MS))) {
    return { ok: false, code: 'stream_not_ready', message: 'stream is not decodable yet' };
  }
  const stream = deps.hub.stream(path);
  if (!stream?.publisher) return { ok: false, code: 'stream_not_live', message: 'stream not found' };
  const tracks = flvTracksOf(stream.metadata, stream.gop.snapshot());
  if (!tracks.audio && !tracks.video) return { ok: false, code: 'no_playable_track', message: 'no track of this stream plays over FLV' };
  return { ok: true, path, tracks, play };
}

/**
 * Resolves true once `path` has had its first decodable frame (its configs have arrived by then), false when
 * the publisher leaves or `timeoutMs` passes. Event-driven: no polling.
 */
function untilActive(hub: StreamHub, path: string, timeoutMs: number): Promise<boolean> {
  if (hub.stream(path)?.isActive) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (active: boolean): void => {
      clearTimeout(timer);
      offActive();
      offUnpublish();
      resolve(active);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    const offActive = hub.events.on('active', (e) => e.path === path && done(true));
    const offUnpublish = hub.events.on('unpublish', (e) => e.path === path && done(false));
  });
}
