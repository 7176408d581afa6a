import { performance } from 'node:perf_hooks';
import { KeepAliveConnection, type HttpTarget } from './keep-alive-connection.js';
import { SampleSet } from './sample-set.js';
import { ViewerCounters } from './viewer-counters.js';

/** A probe every 100 ms: ten samples a second, enough for a p99 over a 30 s window. */
const PROBE_INTERVAL_MS = 100;

/**
 * A liveness checker (curl, a kubelet probe): GET `path` on a new connection every PROBE_INTERVAL_MS, timed from
 * connect to the end of the answer. While a probe is outstanding no other is sent; when it returns, the probes
 * that were due meanwhile are recorded as the latencies they would have had at least (HdrHistogram's correction
 * for coordinated omission), so a 14 s stall weighs as 140 slow probes rather than one.
 */
export class LatencyProbe {
  readonly latency = new SampleSet();
  readonly counters = new ViewerCounters();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: KeepAliveConnection | undefined;

  constructor(private readonly target: HttpTarget, private readonly path: string) {}

  start(): void {
    this.timer = setInterval(this.probe, PROBE_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.inFlight?.close();
  }

  private readonly probe = (): void => {
    if (this.inFlight) return;
    const conn = new KeepAliveConnection(this.target, this.counters);
    this.inFlight = conn;
    const t0 = performance.now();
    conn.get(this.path, 'other', (status) => {
      const ms = performance.now() - t0;
      conn.close();
      this.inFlight = undefined;
      if (status !== 200) this.counters.error('probe', status);
      for (let expected = ms; expected > 0; expected -= PROBE_INTERVAL_MS) this.latency.add(expected);
    });
  };
}
