import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { FoldedHistogram } from '../../src/services/metrics/folded-histogram.js';
import { aggregateWorkerMetrics, type RegistryJson } from '../../src/services/metrics/worker-aggregate.js';
import { parsePrometheusText } from '../support/prometheus-text.js';

/**
 * `--workers`: the registries of the workers merged into the machine's (worker-aggregate.ts), each crossing the IPC as
 * JSON: counters and histograms (the folded one too) summed series by series, the database's figures taken once, the
 * event loop's worst worker, the missing workers counted. The merged text is read by the strict parser.
 */
interface Worker {
  registry: Registry;
  sent: Counter;
  connections: Gauge;
  deliveries: Gauge;
  hls: FoldedHistogram<'kind', 'status'>;
}

function worker(): Worker {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'onair_' });
  return {
    registry,
    sent: new Counter({ name: 'onair_sent_bytes_total', help: 'sent', labelNames: ['protocol'], registers }),
    connections: new Gauge({ name: 'onair_connections', help: 'open', labelNames: ['protocol'], registers }),
    deliveries: new Gauge({ name: 'onair_webhook_deliveries', help: 'stored', labelNames: ['status'], registers, aggregator: 'first' }),
    hls: new FoldedHistogram({ name: 'onair_hls_request_duration_seconds', help: 'hls', labelNames: ['kind', 'status'], buckets: [0.001, 0.01, 1], registers }),
  };
}

/** As a sibling's part arrives over node:cluster IPC (JSON serialisation). */
async function overIpc(r: Registry): Promise<RegistryJson> {
  return JSON.parse(JSON.stringify(await r.getMetricsAsJSON())) as RegistryJson;
}

test('two workers\' registries merge into the machine\'s: sums per series, database figures once, process figures, missing count', async () => {
  const [a, b] = [worker(), worker()];
  a.sent.inc({ protocol: 'rtmp' }, 1000);
  b.sent.inc({ protocol: 'rtmp' }, 234);
  b.sent.inc({ protocol: 'flv' }, 50);
  a.connections.set({ protocol: 'rtmp' }, 3);
  b.connections.set({ protocol: 'rtmp' }, 4);
  for (const w of [a, b]) w.deliveries.set({ status: 'succeeded' }, 7);
  a.hls.observe('segment', 200, 0.0005);
  a.hls.observe('segment', 200, 0.5);
  b.hls.observe('segment', 200, 0.005);
  b.hls.observe('playlist', 404, 2);

  const merged = aggregateWorkerMetrics([await a.registry.getMetricsAsJSON(), await overIpc(b.registry)], 1);
  const m = parsePrometheusText(await merged.metrics());
  assert.equal(m.value('onair_sent_bytes_total', { protocol: 'rtmp' }), 1234);
  assert.equal(m.value('onair_sent_bytes_total', { protocol: 'flv' }), 50);
  assert.equal(m.types.get('onair_sent_bytes_total'), 'counter');
  assert.equal(m.value('onair_connections', { protocol: 'rtmp' }), 7);
  assert.equal(m.value('onair_webhook_deliveries', { status: 'succeeded' }), 7, 'one database: its figure once, not per worker');
  // Buckets stay cumulative per series after the sum; series only one worker has pass through.
  assert.equal(m.types.get('onair_hls_request_duration_seconds'), 'histogram');
  const bucket = (le: string, kind = 'segment', status = '200') => m.value('onair_hls_request_duration_seconds_bucket', { kind, status, le });
  assert.deepEqual([bucket('0.001'), bucket('0.01'), bucket('1'), bucket('+Inf')], [1, 2, 3, 3]);
  assert.equal(m.value('onair_hls_request_duration_seconds_count', { kind: 'segment', status: '200' }), 3);
  assert.equal(m.value('onair_hls_request_duration_seconds_sum', { kind: 'segment', status: '200' }), 0.5055);
  assert.deepEqual([bucket('1', 'playlist', '404'), bucket('+Inf', 'playlist', '404')], [0, 1]);
  assert.equal(m.value('onair_metrics_workers_missing'), 1);
  // Process figures: memory summed (two processes' worth), the version once, no start time (prom-client omits it).
  const rss = async (r: Registry) => parsePrometheusText(await r.metrics()).value('onair_process_resident_memory_bytes')!;
  const merged2 = m.value('onair_process_resident_memory_bytes')!;
  assert.ok(merged2 > Math.max(await rss(a.registry), await rss(b.registry)) * 1.5, `summed resident memory ${merged2}`);
  assert.equal(m.find('onair_nodejs_version_info').length, 1);
  assert.equal(m.find('onair_process_start_time_seconds').length, 0);
});

test('the event loop lag figures are the slowest worker\'s, not an average of percentiles', () => {
  const lag = (name: string, value: number, aggregator: string) => ({ name, help: 'lag', type: 'gauge', aggregator, values: [{ value, labels: {} }] });
  const merged = aggregateWorkerMetrics([
    [lag('onair_nodejs_eventloop_lag_p99_seconds', 0.01, 'average'), lag('onair_nodejs_eventloop_lag_min_seconds', 0.001, 'min')],
    [lag('onair_nodejs_eventloop_lag_p99_seconds', 0.25, 'average'), lag('onair_nodejs_eventloop_lag_min_seconds', 0.002, 'min')],
  ], 0);
  return merged.metrics().then((text) => {
    const m = parsePrometheusText(text);
    assert.equal(m.value('onair_nodejs_eventloop_lag_p99_seconds'), 0.25);
    assert.equal(m.value('onair_nodejs_eventloop_lag_min_seconds'), 0.001);
    assert.equal(m.value('onair_metrics_workers_missing'), 0);
  });
});
