import type { PlayAuthorizer, PublishAuthorizer } from '../services/auth/auth-types.js';

export type { PlayAuthRequest, PlayDecision, PublishAuthRequest, PublishDecision } from '../services/auth/auth-types.js';

/** What the RTMP server asks of auth: both decisions from one object (the services keep them in two classes). */
export type RtmpAuth = PublishAuthorizer & PlayAuthorizer;

/** What the SRT server asks of auth: the same two decisions (publish for m=publish, play for m=request). */
export type SrtAuth = PublishAuthorizer & PlayAuthorizer;
