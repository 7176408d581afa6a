import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { FoldedHistogram } from './folded-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAME = 'x_request_duration_seconds';
const HELP = 'test';

/** The same observations into prom-client's own Histogram and into the FoldedHistogram: both registries' texts. */
async function bothTexts(observations: readonly { kind: string; status: number; seconds: number }[]): Promise<[string, string]> {
  const reference = new Registry();
  const folded = new Registry();
  const h = new Histogram({ name: NAME, help: HELP, labelNames: ['kind', 'status'], buckets: BUCKETS, registers: [reference] });
  const f = new FoldedHistogram({ name: NAME, help: HELP, labelNames: ['kind', 'status'], buckets: BUCKETS, registers: [folded] });
  for (const o of observations) {
    h.observe({ kind: o.kind, status: String(o.status) }, o.seconds);
    f.observe(o.kind, o.status, o.seconds);
  }
  return [await reference.metrics(), await folded.metrics()];
}

const observation = fc.record({
  kind: fc.constantFrom('segment', 'part', 'playlist', 'playlist_blocking', 'init', 'master', 'other'),
  status: fc.constantFrom(200, 206, 304, 404, 416),
  // Values on and around the bucket bounds, and beyond the last (only +Inf counts them).
  seconds: fc.oneof(fc.constantFrom(0, ...BUCKETS, 11, 1e-9), fc.double({ min: 0, max: 20, noNaN: true })),
});

test('the folded histogram writes exactly what prom-client\'s Histogram writes for the same observations', async () => {
  await fc.assert(fc.asyncProperty(fc.array(observation, { maxLength: 200 }), async (obs) => {
    const [reference, folded] = await bothTexts(obs);
    assert.equal(folded, reference);
  }), { numRuns: 300 });
});

test('a known set of observations: cumulative buckets, +Inf, sum and count per kind and status', async () => {
  const [reference, folded] = await bothTexts([
    { kind: 'segment', status: 200, seconds: 0.0002 },
    { kind: 'segment', status: 200, seconds: 0.003 },
    { kind: 'playlist_blocking', status: 200, seconds: 12 },
    { kind: 'segment', status: 404, seconds: 0.0005 },
  ]);
  assert.equal(folded, reference);
  assert.match(folded, /^x_request_duration_seconds_bucket\{le="0.001",kind="segment",status="200"\} 1$/m);
  assert.match(folded, /^x_request_duration_seconds_bucket\{le="0.005",kind="segment",status="200"\} 2$/m);
  assert.match(folded, /^x_request_duration_seconds_bucket\{le="10",kind="playlist_blocking",status="200"\} 0$/m);
  assert.match(folded, /^x_request_duration_seconds_bucket\{le="\+Inf",kind="playlist_blocking",status="200"\} 1$/m);
  assert.match(folded, /^x_request_duration_seconds_sum\{kind="segment",status="200"\} 0.0032$/m);
  assert.match(folded, /^x_request_duration_seconds_count\{kind="segment",status="404"\} 1$/m);
});

test('JSON form (getMetricsAsJSON) matches prom-client too, and reset empties it', async () => {
  const reference = new Registry();
  const folded = new Registry();
  const h = new Histogram({ name: NAME, help: HELP, labelNames: ['kind', 'status'], buckets: BUCKETS, registers: [reference] });
  const f = new FoldedHistogram({ name: NAME, help: HELP, labelNames: ['kind', 'status'], buckets: BUCKETS, registers: [folded] });
  for (const [k, s, v] of [['part', 200, 0.0001], ['init', 304, 0.07], ['part', 200, 3]] as const) {
    h.observe({ kind: k, status: String(s) }, v);
    f.observe(k, s, v);
  }
  const strip = (m: unknown) => JSON.parse(JSON.stringify(m, (key, v: unknown) => (key === 'exemplar' || key === 'collect' ? undefined : v))) as unknown;
  assert.deepEqual(strip(await folded.getMetricsAsJSON()), strip(await reference.getMetricsAsJSON()));
  folded.resetMetrics();
  h.reset();
  assert.equal(await folded.metrics(), await reference.metrics());
});
