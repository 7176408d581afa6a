import { performance } from 'node:perf_hooks';
import { KeepAliveConnection, type HttpTarget } from './keep-alive-connection.js';
import { SampleSet, type Percentiles } from './sample-set.js';
import { ViewerCounters } from './viewer-counters.js';

/** A probe every 100 ms: ten samples a second, enough for a p99 over a 30 s window. */
const PROBE_INTERVAL_MS = 100;

/**
 * A liveness checker (curl, a kubelet probe): GET `path` on a new connection every PROBE_INTERVAL_MS, timed from
 * connect to the end of the answer. While a probe is outstanding no other is sent; when it returns, the probes
 * that were due meanwhile are recorded as the latencies they would have had at least (HdrHistogram's correction
 * for coordinated omission), so a 14 s stall weighs as 140 slow probes rather than one. A probe still outstanding
 * when the percentiles are read counts as lasting until then: a server that never answers reports its stall,
 * not an empty window.
 */
export class LatencyProbe {
  private readonly latency = new SampleSet();
  readonly counters = new ViewerCounters();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: KeepAliveConnection | undefined;
  private sentAt = 0;

  constructor(private readonly target: HttpTarget, private readonly path: string) {}

  start(): void {
    this.timer = setInterval(this.probe, PROBE_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.inFlight?.close();
  }

  /** Starts a new window of samples. */
  clear(): void {
    this.latency.clear();
  }

  percentiles(): Percentiles {
    return this.latency.percentiles(this.inFlight ? withMissedProbes(performance.now() - this.sentAt) : []);
  }

  private readonly probe = (): void => {
    if (this.inFlight) return;
    const conn = new KeepAliveConnection(this.target, this.counters);
    this.inFlight = conn;
    this.sentAt = performance.now();
    conn.get(this.path, 'other', (status) => {
      const ms = performance.now() - this.sentAt;
      conn.close();
      this.inFlight = undefined;
      if (status !== 200) this.counters.error('probe', status);
      for (const expected of withMissedProbes(ms)) this.latency.add(expected);
    });
  };
}

/** A probe that took `ms`, and the probes due meanwhile with the latencies they would have had at least. */
function withMissedProbes(ms: number): number[] {
  const out: number[] = [];
  for (let expected = ms; expected > 0; expected -= PROBE_INTERVAL_MS) out.push(expected);
  return out;
}
