export { StreamHealth, performanceClock, type MonotonicClock } from './stream-health.js';
export { SubscriberTotals, type ProtocolTotals } from './subscriber-totals.js';
export type * from './health-types.js';
export { OFFLINE_EVALUATION } from './health-types.js';
