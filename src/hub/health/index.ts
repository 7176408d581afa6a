export { StreamHealth } from './stream-health.js';
export { performanceClocks, type ClockSource, type ElapsedClock } from './arrival-clock.js';
export { SubscriberTotals, type ProtocolTotals } from './subscriber-totals.js';
export type * from './health-types.js';
export { OFFLINE_EVALUATION } from './health-types.js';
