import type { PlannedRung, SourcePicture } from './ladder.js';
import { DECODE_COST_FACTOR } from './limits.js';

/** Estimated encode cost in pixels/s: what libx264's time scales with, to first order. */
export function rungCost(r: PlannedRung): number {
  return r.width * r.height * r.fps;
}

/** One decode of the source plus every rung's encode. */
export function ladderCost(source: SourcePicture, rungs: readonly PlannedRung[]): number {
  if (rungs.length === 0) return 0;
  return source.width * source.height * source.fps * DECODE_COST_FACTOR + rungs.reduce((a, r) => a + rungCost(r), 0);
}

/**
 * The rungs to drop first when CPU is short: the highest encoded rung (closest to the source, which players
 * still have as the top rung) goes first; the lowest rung, the one viewers on poor networks need, goes last.
 */
export function dropOrder(rungs: readonly PlannedRung[]): PlannedRung[] {
  return [...rungs].sort((a, b) => rungCost(b) - rungCost(a));
}

/**
 * Admission: the rungs that fit `available` pixels/s, dropping in `dropOrder` until the ladder fits.
 * Returns the kept rungs (highest first) and the names left out.
 */
export function admit(source: SourcePicture, rungs: readonly PlannedRung[], available: number): { kept: PlannedRung[]; dropped: string[] } {
  let kept = [...rungs];
  const dropped: string[] = [];
  for (const victim of dropOrder(rungs)) {
    if (ladderCost(source, kept) <= available) break;
    kept = kept.filter((r) => r !== victim);
    dropped.push(victim.name);
  }
  return { kept, dropped };
}
