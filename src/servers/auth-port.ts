import type { PlayAuthorizer, PlayWatcher, PublishAuthorizer } from '../services/auth/auth-types.js';

export type { PlayAuthRequest, PlayDecision, PublishAuthRequest, PublishDecision } from '../services/auth/auth-types.js';

/**
 * What the RTMP server asks of auth: both decisions from one object (the services keep them in two classes),
 * and the watch that ends a player whose authorisation lapses.
 */
export type RtmpAuth = PublishAuthorizer & PlayAuthorizer & PlayWatcher;
