import { AggregatorRegistry, Gauge, type PrometheusContentType, type Registry } from 'prom-client';

/** One registry as `Registry.getMetricsAsJSON()` gives it (and as it crosses the workers' IPC). */
export type RegistryJson = readonly { readonly name: string; readonly aggregator?: string }[];

/**
 * prom-client's own aggregators are kept (counters, histograms and most gauges summed, `nodejs_version_info` first,
 * `process_start_time_seconds` omitted) except the event loop lag figures, which it averages: a mean of the workers'
 * percentiles describes no worker, while the slowest worker is the one whose viewers stall. They take the largest
 * worker's figure (the minimum stays the minimum).
 */
const EVENT_LOOP_WORST = new Set(['', '_mean', '_stddev', '_p50', '_p90', '_p99'].map((s) => `onair_nodejs_eventloop_lag${s}_seconds`));

/**
 * `--workers`: one registry for the machine from every worker's (`parts`: JSON from getMetricsAsJSON, this worker's
 * and the ones its siblings sent), merged by prom-client's `AggregatorRegistry.aggregate` series by series (same name
 * and labels): each metric's `aggregator` decides (sum unless it says otherwise). The per-stream series are exported
 * by each stream's owner alone (OnAirMetricsSources.siblingPull), so their sums are the owner's figures. Adds
 * `onair_metrics_workers_missing`: the other workers whose registry is not in this answer (no answer within the wait,
 * or being restarted); their counters are missing from the sums for this scrape (Prometheus' rate() reads the dip as
 * a counter reset).
 */
export function aggregateWorkerMetrics(parts: readonly RegistryJson[], missing: number): Registry {
  const tuned = parts.map((metrics) => metrics.map((m) => (EVENT_LOOP_WORST.has(m.name) ? { ...m, aggregator: 'max' } : m)));
  const merged = AggregatorRegistry.aggregate<PrometheusContentType>(tuned);
  const gauge = new Gauge({
    name: 'onair_metrics_workers_missing',
    help: '--workers: workers whose figures are missing from this scrape (no answer within 2 s, or being restarted)',
    registers: [merged],
  });
  gauge.set(missing);
  return merged;
}
