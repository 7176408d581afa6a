export { StreamHub, type StreamHubOptions } from './stream-hub.js';
export { HubStream } from './hub-stream.js';
export { Publisher } from './publisher.js';
export { Subscription, type SubscriptionOptions } from './subscription.js';
export { GopCache, type GopCacheLimits } from './gop-cache.js';
export { TimestampNormalizer } from './timestamp-normalizer.js';
export type * from './types.js';
export { LATENCY_MODES, MAX_RECONNECT_WINDOW_SEC } from './types.js';
