import { performance } from 'node:perf_hooks';

/**
 * Whole ms since the clock was made (monotonic). `origin` is set on the server's clock (performanceClocks): the
 * performance.now() it counts from, so IngestMeter reads it from there (elapsedSince) instead of calling this
 * closure (a test's simulated clock has none and is called).
 */
export interface ElapsedClock {
  (): number;
  readonly origin?: number;
}

/** Makes an ElapsedClock that starts now: one per publish (performanceClocks in the server; a simulated one in tests). */
export type ClockSource = () => ElapsedClock;

/**
 * The arrival clock: whole ms since the publish started, from performance.now(). On Node 20 a reading is boxed into a
 * heap number (16 bytes) wherever V8 does not inline the call, so IngestMeter reads it at most once per read and per
 * ARRIVAL_CLOCK_STEP_MS of media; whole ms since the publish stay small integers (Smis) for 12 days of one publish,
 * so passing them on allocates nothing. (process.hrtime()'s pair costs more when it is not optimized away, and
 * caching one reading per event-loop callback would need a queueMicrotask or nextTick per callback, which costs more
 * still.) `performance` is node:perf_hooks' object, imported once: the global of that name is an accessor, a getter
 * call at every reading.
 */
export const performanceClocks: ClockSource = () => {
  const origin = performance.now();
  return Object.assign(() => Math.round(performance.now() - origin), { origin });
};

/** The server's reading of an ElapsedClock with an origin, written where it is read (IngestMeter.frame). */
export function elapsedSince(origin: number): number {
  return Math.round(performance.now() - origin);
}
