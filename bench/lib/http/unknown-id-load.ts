import { performance } from 'node:perf_hooks';
import { KeepAliveConnection, type HttpTarget } from './keep-alive-connection.js';
import { SampleSet } from './sample-set.js';
import { ViewerCounters } from './viewer-counters.js';

/**
 * Connections the side load may hold open: issue 17's measurement had 200 clients asking at once; a cap keeps a
 * server that stops answering from making the client open thousands.
 */
const MAX_CONNECTIONS = 256;
/** How often due requests are sent: 10 ms keeps a 2000/s rate smooth (20 a tick) at little cost. */
const TICK_MS = 10;

/**
 * An open-loop side load of requests for playback ids that do not exist (each request a new id, as a scanner or a
 * stale link would send): `rate` requests a second are due whatever the server's answers, spread over keep-alive
 * connections opened as needed up to MAX_CONNECTIONS. A due request that finds every connection busy waits in a
 * backlog (bounded by one second of requests; past that it is dropped and counted), so a slow server shows as
 * backlog and drops rather than as a lower rate silently. Answers are counted by status in `counters.errors`
 * (`unknown-id 404`); latency is from send to the end of the answer.
 */
export class UnknownIdLoad {
  readonly counters = new ViewerCounters();
  readonly latency = new SampleSet();
  dropped = 0;
  private readonly idle: KeepAliveConnection[] = [];
  private readonly all: KeepAliveConnection[] = [];
  private readonly prefix = `nx${Math.random().toString(36).slice(2, 8)}`;
  private backlog = 0;
  private issued = 0;
  private sequence = 0;
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `pathOf(id)`: the request path asking for playback id `id`. */
  constructor(private readonly target: HttpTarget, private readonly rate: number, private readonly pathOf: (id: string) => string) {}

  start(): void {
    this.startedAt = performance.now();
    this.timer = setInterval(this.tick, TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    for (const c of this.all) c.close();
  }

  /** Requests sent, and connections open, so far. */
  get sent(): number {
    return this.counters.requests;
  }

  get connections(): number {
    return this.all.length;
  }

  /** Requests sent and not answered yet (their latency is not in `latency` until they are). */
  get pending(): number {
    return this.all.length - this.idle.length;
  }

  private readonly tick = (): void => {
    const due = Math.floor(((performance.now() - this.startedAt) / 1000) * this.rate) - this.issued;
    for (let i = 0; i < due; i++) {
      this.issued++;
      const conn = this.idle.pop() ?? this.openConnection();
      if (conn) this.send(conn);
      else if (this.backlog < this.rate) this.backlog++;
      else this.dropped++;
    }
  };

  private openConnection(): KeepAliveConnection | undefined {
    if (this.all.length >= MAX_CONNECTIONS) return undefined;
    const conn = new KeepAliveConnection(this.target, this.counters);
    this.all.push(conn);
    return conn;
  }

  private send(conn: KeepAliveConnection): void {
    const t0 = performance.now();
    conn.get(this.pathOf(`${this.prefix}-${this.sequence++}`), 'other', (status) => {
      this.latency.add(performance.now() - t0);
      this.counters.error('unknown-id', status);
      if (this.backlog > 0) {
        this.backlog--;
        this.send(conn);
      } else {
        this.idle.push(conn);
      }
    });
  }
}
