import type { PlaybackDeps } from '../playback-deps.js';

/**
 * What the watch page shows before (and between) playing: `live`, `starting` (published, no picture yet),
 * `not_live` (a stream that exists, or may exist, with no publisher), `not_found`, or `forbidden` (a signed
 * stream without a valid token). The same answers the player URLs give as 403/404, as one small JSON; the
 * decision is the in-memory one the player routes make (no database query per poll).
 */
export type WatchStatus = 'live' | 'starting' | 'not_live' | 'not_found' | 'forbidden';

export function watchStatus(deps: Pick<PlaybackDeps, 'hub' | 'decidePlay'>, req: { playbackId: string; query: string; clientIp: string }): WatchStatus {
  const decision = deps.decidePlay({ app: 'live', name: req.playbackId, query: req.query, clientIp: req.clientIp, protocol: 'hls' });
  if (!decision.ok) return decision.code === 'unauthorized' ? 'forbidden' : 'not_found';
  const stream = deps.hub.stream(decision.streamPath);
  if (!stream?.publisher) return 'not_live';
  return stream.isActive ? 'live' : 'starting';
}
