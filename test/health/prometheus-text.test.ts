import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parsePrometheusText } from '../support/prometheus-text.js';

/** The strict reader the health tests scrape /metrics with: it must read prom-client's output and refuse bad lines. */

test('reads what prom-client writes: families, labels with escapes, histogram suffixes, NaN', async () => {
  const registry = new Registry();
  const hits = new Counter({ name: 'x_hits_total', help: 'hits', labelNames: ['path'], registers: [registry] });
  hits.inc({ path: 'a "quoted"\\path\nnext' }, 3);
  new Gauge({ name: 'x_nan', help: 'not a number', registers: [registry] }).set(NaN);
  const h = new Histogram({ name: 'x_seconds', help: 'durations', labelNames: ['kind'], buckets: [0.1, 1], registers: [registry] });
  h.observe({ kind: 'seg' }, 0.5);
  const m = parsePrometheusText(await registry.metrics());
  assert.equal(m.types.get('x_hits_total'), 'counter');
  assert.equal(m.value('x_hits_total', { path: 'a "quoted"\\path\nnext' }), 3);
  assert.ok(Number.isNaN(m.value('x_nan')!));
  assert.equal(m.types.get('x_seconds'), 'histogram');
  assert.equal(m.value('x_seconds_bucket', { kind: 'seg', le: '0.1' }), 0);
  assert.equal(m.value('x_seconds_bucket', { kind: 'seg', le: '1' }), 1);
  assert.equal(m.value('x_seconds_bucket', { kind: 'seg', le: '+Inf' }), 1);
  assert.equal(m.value('x_seconds_count', { kind: 'seg' }), 1);
  assert.equal(m.value('x_seconds_sum', { kind: 'seg' }), 0.5);
  assert.equal(m.find('x_seconds_bucket').length, 3);
  assert.throws(() => m.value('x_seconds_bucket', { kind: 'seg' }), /matches 3 samples/, 'an ambiguous lookup is an error');
});

test('a timestamp after the value and +Inf/-Inf values are read', () => {
  const m = parsePrometheusText('# HELP a x\n# TYPE a gauge\na{k="v"} +Inf 1700000000000\na{k="w"} -Inf\n');
  assert.equal(m.value('a', { k: 'v' }), Infinity);
  assert.equal(m.value('a', { k: 'w' }), -Infinity);
});

test('malformed lines are refused with the line number', () => {
  const head = '# HELP a x\n# TYPE a gauge\n';
  const bad: [string, RegExp][] = [
    ['a 1\n', /line 1: sample before its # TYPE/],
    ['# TYPE a gauge\na 1\n', /family without # HELP/],
    ['# HELP a x\n# TYPE a gaugeish\n', /bad TYPE/],
    [`${head}a{k="v} 1\n`, /unterminated label value/],
    [`${head}a{k=v} 1\n`, /label value not quoted/],
    [`${head}a{k="\\t"} 1\n`, /bad escape/],
    [`${head}a{k="1",k="2"} 1\n`, /duplicate label/],
    [`${head}a{k="1" x="2"} 1\n`, /expected , or }/],
    [`${head}a{1k="v"} 1\n`, /bad label name/],
    [`${head}a{k} 1\n`, /label without =/],
    [`${head}a one\n`, /bad value/],
    [`${head}a 1 2 3\n`, /expected value \[timestamp\]/],
    [`${head}9a 1\n`, /bad metric name/],
  ];
  for (const [text, why] of bad) assert.throws(() => parsePrometheusText(text), why, text);
  assert.throws(() => parsePrometheusText(`${head}a 1\n${'a{k="v"} one\n'}`), /metrics line 4:/);
});

test('a histogram suffix only belongs to a histogram or summary family', () => {
  assert.throws(() => parsePrometheusText('# HELP a x\n# TYPE a gauge\na_bucket{le="1"} 1\n'), /before its # TYPE/);
});
