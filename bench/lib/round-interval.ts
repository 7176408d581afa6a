/**
 * Intervals over independent repeats (rounds), for benches whose readings inside one repeat are correlated: windows
 * of one server instance share its heap layout, JIT decisions and GC phase, so resampling windows makes an interval
 * far narrower than what two identical instances differ by. One value per round, then Student's t over rounds.
 */

/** Two-sided 95 % quantiles of Student's t, by degrees of freedom 1-30 (beyond: 1.96 approached from above). */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function t95(df: number): number {
  if (!(df >= 1)) throw new RangeError(`t quantile needs at least 1 degree of freedom, got ${df}`);
  return df <= T95.length ? T95[Math.floor(df) - 1]! : 1.96 + 2.4 / df;
}

export interface RoundInterval {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
}

/** The mean of one value per round with its 95 % t interval (at least 2 rounds). */
export function meanInterval(values: readonly number[]): RoundInterval {
  const n = values.length;
  if (n < 2) throw new RangeError(`an interval over rounds needs at least 2 rounds, got ${n}`);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const half = t95(n - 1) * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half };
}

/**
 * One ratio per round (e.g. on/off CPU of that round's servers), summarised as their geometric mean with a 95 % t
 * interval of the mean log ratio: ratios multiply, and log(a/b) = -log(b/a), so swapping the roles flips the interval
 * exactly.
 */
export function ratioInterval(ratios: readonly number[]): RoundInterval {
  if (ratios.some((r) => !(r > 0))) throw new RangeError(`ratios must be positive: ${ratios.join(', ')}`);
  const l = meanInterval(ratios.map(Math.log));
  return { mean: Math.exp(l.mean), low: Math.exp(l.low), high: Math.exp(l.high) };
}

/** Fisher-Yates with the caller's PRNG: a random order of `items` (a new array). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
