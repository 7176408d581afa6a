import type { PlayAuthorizer, PlayWatcher, PublishAuthorizer } from '../services/auth/auth-types.js';

export type {
  PlayAuthRequest, PlayDecision, PublishAuthRequest, PublishDecision, RecordedPlayDecision, RecordedPlayRequest,
} from '../services/auth/auth-types.js';

/**
 * What the RTMP server asks of auth: both decisions from one object (the services keep them in two classes),
 * and the watch that ends a player whose authorisation lapses.
 */
export type RtmpAuth = PublishAuthorizer & PlayAuthorizer & PlayWatcher;

/**
 * What the SRT server asks of auth: the same two decisions (publish for m=publish, play for m=request) and the
 * same watch, so an SRT player is closed when its token expires or its stream is disabled, like an RTMP player.
 */
export type SrtAuth = PublishAuthorizer & PlayAuthorizer & PlayWatcher;
