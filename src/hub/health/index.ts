export { StreamHealth } from './stream-health.js';
export { TurnClock, performanceMs, turnClocks, type ArrivalClock, type ClockSource } from './turn-clock.js';
export { SubscriberTotals, type ProtocolTotals } from './subscriber-totals.js';
export type * from './health-types.js';
export { OFFLINE_EVALUATION } from './health-types.js';
