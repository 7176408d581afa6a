import type { DeliveryPreferences } from '../../hub/index.js';

/** The contract the media servers call before a publish or a play (see the RTMP, HLS and FLV servers). */
export interface PublishAuthRequest {
  app: string;
  name: string;
  query: string;
  clientIp: string;
  protocol: 'rtmp' | 'rtmps' | 'srt';
}

/**
 * `streamPath` is the hub key; it never contains a stream key (`live/<playbackId>` for API streams).
 * `delivery`: the stream's own latency mode and reconnect window, for the outputs (API streams).
 */
export type PublishDecision =
  | { ok: true; streamPath: string; streamId?: string; playbackId?: string; delivery?: DeliveryPreferences; srtPassphrase?: string }
  | { ok: false; code: 'bad_name' | 'unauthorized' | 'rate_limited' | 'disabled' | 'unavailable'; reason: string };

export interface PublishAuthorizer {
  authorizePublish(req: PublishAuthRequest): Promise<PublishDecision>;
}

/** HLS/FLV callers pass `app: 'live'` and the playback id as `name`; `query` carries `token=` for signed streams. */
export interface PlayAuthRequest {
  app: string;
  name: string;
  query: string;
  clientIp: string;
  protocol: 'rtmp' | 'rtmps' | 'hls' | 'flv' | 'ws-flv' | 'srt';
}

/**
 * `playbackId`: set for API streams (the directory entry the decision came from). `expiresAtSec`: the
 * playback token's expiry (signed streams), when a connection that plays on must be closed. `internalPull`: another
 * worker or node pulling the stream for its own viewers (withInternalPulls), not a viewer.
 */
export type PlayDecision =
  | { ok: true; streamPath: string; streamId?: string; playbackId?: string; expiresAtSec?: number; internalPull?: boolean }
  | { ok: false; code: 'not_found' | 'unauthorized' | 'bad_name'; reason: string };

/**
 * Playing a recording (VOD): the playback id of the stream it recorded and that stream's policy when it was
 * recorded. `asset` is the recording's record: a token checked against the recorded policy (the stream is
 * gone) is remembered for that object.
 */
export interface RecordedPlayRequest {
  readonly playbackId: string | null;
  readonly recordedPolicy: 'public' | 'signed';
  readonly query: string;
  readonly clientIp: string;
  readonly asset: object;
}

/** `expiresAtSec`: the playback token's expiry (signed), after which the recording is refused again. */
export type RecordedPlayDecision =
  | { ok: true; expiresAtSec?: number }
  | { ok: false; code: 'not_found' | 'unauthorized'; reason: string };

export interface PlayAuthorizer {
  authorizePlay(req: PlayAuthRequest): Promise<PlayDecision>;
}

/**
 * For viewers that stay connected (HTTP-FLV, WS-FLV, RTMP play): `onRevoke` is called once, with the reason,
 * when a new decision for the same request would refuse it (its token expired; its stream was disabled,
 * deleted or switched to signed). Returns the function that stops watching: call it when the viewer ends.
 */
export interface PlayWatcher {
  watchPlay(req: PlayAuthRequest, onRevoke: (reason: string) => void): () => void;
}
