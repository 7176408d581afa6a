import { MAX_SAMPLES } from './limits.js';

export interface Percentiles {
  readonly n: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/**
 * Measurements (ms) for exact percentiles, bounded: past MAX_SAMPLES a reservoir keeps a uniform subset
 * (Vitter's algorithm R), while the maximum stays exact.
 */
export class SampleSet {
  private values = new Float64Array(1024);
  private kept = 0;
  private seen = 0;
  private largest = -Infinity;

  constructor(private readonly cap = MAX_SAMPLES) {}

  add(v: number): void {
    this.seen++;
    if (v > this.largest) this.largest = v;
    if (this.kept < this.cap) {
      if (this.kept === this.values.length) {
        const grown = new Float64Array(Math.min(this.cap, this.values.length * 2));
        grown.set(this.values);
        this.values = grown;
      }
      this.values[this.kept++] = v;
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.cap) this.values[slot] = v;
  }

  clear(): void {
    this.kept = 0;
    this.seen = 0;
    this.largest = -Infinity;
  }

  /** Percentiles of the samples, with `extra` ones counted as well (without keeping them). */
  percentiles(extra: readonly number[] = []): Percentiles {
    const count = this.kept + extra.length;
    if (count === 0) return { n: 0, p50: null, p95: null, p99: null, max: null };
    const sorted = new Float64Array(count);
    sorted.set(this.values.subarray(0, this.kept));
    sorted.set(extra, this.kept);
    sorted.sort();
    const at = (q: number): number => sorted[Math.min(count - 1, Math.floor(q * count))]!;
    return { n: this.seen + extra.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: Math.max(this.largest, ...extra) };
  }
}
