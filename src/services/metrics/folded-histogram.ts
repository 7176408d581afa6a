import type { Registry } from 'prom-client';

/** One label combination's counts: `buckets[i]` = observations in (bound[i-1], bound[i]], not cumulative. */
interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** A sample of the exposition, as prom-client's Registry formats it (`labels` in output order: `le` first). */
interface Sample {
  readonly metricName: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

/**
 * A histogram with two labels (`a`, `b`) observed by plain arithmetic on typed arrays, and handed to prom-client's
 * Registry as an ordinary histogram at scrape time. prom-client's labelled `Histogram.observe` builds a label hash
 * and validates the labels on every call (2.7 % of the server's samples at 500 HLS viewers); this keeps the series
 * in a two-level Map (first label, then second) and adds to a bucket. The exposition is the same as prom-client's
 * Histogram with the same name, labels and buckets would write (same `le` values, cumulative buckets, `+Inf`,
 * `_sum`, `_count`, series in first-observed order; folded-histogram.test.ts compares the two texts).
 */
export class FoldedHistogram<A extends string, B extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: Series[] = [];
  private readonly byA = new Map<string, Map<string | number, Series>>();
  private readonly bounds: Float64Array;

  constructor(private readonly cfg: {
    readonly name: string;
    readonly help: string;
    readonly labelNames: readonly [A, B];
    readonly buckets: readonly number[];
    readonly registers: readonly Registry[];
  }) {
    this.bounds = Float64Array.from([...cfg.buckets].sort((x, y) => x - y));
    // The Registry reads `name`, `help`, `type`, `aggregator` and calls `get`/`getForPromString`/`reset`, the
    // members every prom-client metric has; its types name only its own classes, hence the cast.
    for (const r of cfg.registers) r.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  get name(): string {
    return this.cfg.name;
  }

  get help(): string {
    return this.cfg.help;
  }

  /** One observation. `b` may be a number (an HTTP status): it is labelled as its decimal string. Non-finite values are dropped. */
  observe(a: string, b: string | number, value: number): void {
    if (!Number.isFinite(value)) return;
    let inner = this.byA.get(a);
    if (!inner) this.byA.set(a, (inner = new Map()));
    let s = inner.get(b);
    if (!s) {
      const [la, lb] = this.cfg.labelNames;
      s = { labels: { [la]: a, [lb]: String(b) }, buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
      inner.set(b, s);
      this.series.push(s);
    }
    s.sum += value;
    s.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        s.buckets[i]!++;
        return;
      }
    }
  }

  reset(): void {
    this.series.length = 0;
    this.byA.clear();
  }

  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Sample[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.samples() };
  }

  private samples(): Sample[] {
    const out: Sample[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const s of this.series) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.buckets[i]!;
        out.push({ metricName: bucketName, labels: { le: this.bounds[i]!, ...s.labels }, value: acc });
      }
      out.push({ metricName: bucketName, labels: { le: '+Inf', ...s.labels }, value: s.count });
      out.push({ metricName: `${this.name}_sum`, labels: { ...s.labels }, value: s.sum });
      out.push({ metricName: `${this.name}_count`, labels: { ...s.labels }, value: s.count });
    }
    return out;
  }
}
