// The one seeded PRNG (mulberry32) of the repo: a bench's confidence interval comes out the same when its data do.
import { seededRandom } from '../../src/protocols/srt/testing/seeded-random.js';

/**
 * A percentile bootstrap confidence interval of `statistic` over `strata` (e.g. the windows of each round): every
 * resample draws, with replacement, as many items from each stratum as it has, so each round keeps its weight.
 * Items are whatever one observation is (a window's CPU readings of every server), so paired statistics stay
 * paired. Windows next to each other are not independent (a collection or a load spike spans several), so the
 * interval is the sampling spread of these windows, not a guarantee.
 */
export function bootstrapInterval<T>(
  strata: readonly (readonly T[])[], statistic: (sample: readonly T[]) => number, options: { iterations?: number; level?: number; seed?: number } = {},
): { low: number; high: number } {
  const iterations = options.iterations ?? 10_000;
  const level = options.level ?? 0.95;
  const random = seededRandom(options.seed ?? 1);
  const values: number[] = [];
  const sample: T[] = [];
  for (let i = 0; i < iterations; i++) {
    sample.length = 0;
    for (const s of strata) for (let k = 0; k < s.length; k++) sample.push(s[Math.floor(random() * s.length)]!);
    values.push(statistic(sample));
  }
  values.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { low: values[Math.floor(tail * (iterations - 1))]!, high: values[Math.ceil((1 - tail) * (iterations - 1))]! };
}

/** The middle value; the mean of the two middle ones for an even count. */
export function middle(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
