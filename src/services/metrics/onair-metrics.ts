import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../../core/logger.js';
import type { PublisherInfo, StreamHub } from '../../hub/index.js';
import type { HealthMonitor, HlsAudience } from '../health/index.js';
import type { TranscodeStatus } from '../transcode/types.js';
import { TRANSCODE_PROTOCOL } from '../transcode/index.js';
import { FoldedHistogram } from './folded-histogram.js';
import { registerStreamMetrics } from './stream-metrics.js';
import { TrafficTotals } from './traffic-totals.js';

export interface OnAirMetricsSources {
  readonly hub: StreamHub;
  readonly log: Logger;
  /** Open RTMP and RTMPS connections (publishers, players, handshakes). */
  readonly rtmpConnections: () => number;
  /** Absent with --health off: no per-stream series, no HLS viewer estimate. */
  readonly monitor?: HealthMonitor;
  readonly audience?: HlsAudience;
  readonly transcodeStatus?: (streamPath: string) => TranscodeStatus | undefined;
  /** Stored webhook deliveries per status (WebhookDeliveryStore.countByStatus). */
  readonly webhookDeliveries?: () => Promise<{ status: string; deliveries: number; attempts: number }[]>;
  /** Writes waiting in memory for PostgreSQL to come back (DeferredWrites.pending); absent with the embedded database. */
  readonly queuedWrites?: () => number;
  /** `--edge-hls proxy` (EdgeHlsProxy, read structurally); absent = not a proxying edge, no onair_edge_hls_* series. */
  readonly edgeHls?: EdgeHlsProxySource;
  /** `--workers`: the worker's copy of its siblings' HLS (the same proxy, between workers); absent = no onair_worker_hls_* series. */
  readonly workerHls?: EdgeHlsProxySource;
  /** Requests answered by the lean HTTP/1.1 front (servers/http/lean), by listener; read at scrape time. */
  readonly leanRequests?: () => LeanRequestCounts;
  /**
   * `--workers`: true for a pull from a sibling worker: not a publisher here, its bytes not received from a
   * broadcaster. With `siblingStream` (its streams are left to their owner's figures: streams, per-stream series, HLS
   * sessions) the workers' registries add up to the machine's figures (worker-aggregate.ts). Absent: all count.
   */
  readonly siblingPull?: (publisher: PublisherInfo) => boolean;
  /** `--workers`: true for a stream held here as a pull from a sibling worker (live, or ended with players waiting). */
  readonly siblingStream?: (path: string) => boolean;
  /** `--cluster`: nodes left out of a cluster stream list (`/api/v1/health`) since start; absent = no such series. */
  readonly clusterListMissing?: () => number;
}

/** Requests the lean HTTP/1.1 fronts answered: on the public HTTP port, on a worker's internal port (forwarded by its siblings). */
export interface LeanRequestCounts {
  readonly public: number;
  readonly internal: number;
}

/** What the edge's HLS proxy counts (its `stats` and `cached`), read at scrape time. */
export interface EdgeHlsProxySource {
  readonly stats: {
    readonly cache: Readonly<Record<'hit' | 'miss' | 'coalesced', number>>;
    readonly upstream: Readonly<Record<'ok' | 'refused' | 'error' | 'timeout' | 'busy', number>>;
  };
  readonly cached: { bytes: number; entries: number; inFlight: number };
}

/** What the HTTP layer reports per HLS response. */
export interface HlsRequestObservation {
  readonly kind: string;
  readonly status: number;
  readonly seconds: number;
  readonly bytes: number;
}

/**
 * The event loop delay monitor (perf_hooks.monitorEventLoopDelay, behind prom-client's onair_nodejs_eventloop_lag_*
 * gauges) is a libuv timer of its own that wakes the loop every `precision` ms, whatever else the server does. At
 * 100 ms that was 10 wake-ups a second: on the 2-core test VM about 0.15-0.3 % of a core, an idle server's whole cost
 * and a fifth of one live stream's (bench/fixed-cost.ts). Once a second keeps the gauges (one sample a second between
 * scrapes; onair_nodejs_eventloop_lag_seconds is measured at scrape time as before).
 */
const EVENT_LOOP_PRECISION_MS = 1000;

/** HLS answers from memory in well under a millisecond; blocking playlist reloads wait up to a part or segment. */
const HLS_LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The server's Prometheus registry (its own, not prom-client's global one), every name prefixed `onair_`.
 * Almost everything is read at scrape time by collect callbacks from counters the server keeps anyway; only HLS
 * responses are observed as they happen (one observation per request, never per packet), into plain local sums
 * (FoldedHistogram, a byte total) that the registry reads at scrape time.
 */
export class OnAirMetrics {
  readonly registry = new Registry();
  private readonly traffic: TrafficTotals;
  private readonly hlsDuration: FoldedHistogram<'kind', 'status'>;
  /** HLS bytes served, added per answer here and read by the counter at scrape time. */
  private hlsBytes = 0;

  constructor(src: OnAirMetricsSources) {
    const registers = [this.registry];
    // The event loop delay monitor wakes the loop every `precision` ms (prom-client's default is 10): see
    // EVENT_LOOP_PRECISION_MS.
    collectDefaultMetrics({ register: this.registry, prefix: 'onair_', eventLoopMonitoringPrecision: EVENT_LOOP_PRECISION_MS });
    const siblingPull = src.siblingPull;
    const traffic = (this.traffic = new TrafficTotals(src.hub, siblingPull));
    // A stream this worker holds as a pull from its owner (another worker): the owner reports it.
    const ownersStream = src.siblingStream;

    new Gauge({
      name: 'onair_connections', help: 'Open connections by protocol (rtmp: RTMP/RTMPS sockets; flv: HTTP-FLV/WS-FLV viewers; hls: estimated sessions)',
      labelNames: ['protocol'], registers,
      collect() {
        this.set({ protocol: 'rtmp' }, src.rtmpConnections());
        this.set({ protocol: 'flv' }, traffic.viewers().flv);
        let hls = 0;
        for (const r of src.monitor?.reports() ?? []) if (!ownersStream?.(r.path)) hls += r.viewers.hls;
        this.set({ protocol: 'hls' }, hls);
      },
    });
    new Gauge({
      name: 'onair_publishers', help: 'Live publishers (the server\'s own transcoder renditions left out)', registers,
      collect() {
        let n = 0;
        for (const s of src.hub.streams()) if (s.publisher && s.publisher.info.protocol !== TRANSCODE_PROTOCOL && !siblingPull?.(s.publisher.info)) n++;
        this.set(n);
      },
    });
    new Counter({
      name: 'onair_received_bytes_total', help: 'Media bytes received from publishers', registers,
      collect() {
        this.reset();
        this.inc(traffic.bytesIn());
      },
    });
    const hlsBytes = (): number => this.hlsBytes;
    new Counter({
      name: 'onair_hls_sent_bytes_total', help: 'Bytes of HLS playlists and media served to viewers', registers,
      collect() {
        this.reset();
        this.inc(hlsBytes());
      },
    });
    new Counter({
      name: 'onair_sent_bytes_total', help: 'Media bytes sent to RTMP and FLV viewers (HLS: onair_hls_sent_bytes_total)', labelNames: ['protocol'], registers,
      collect() {
        this.reset();
        const out = traffic.bytesOut();
        this.inc({ protocol: 'rtmp' }, out.rtmp);
        this.inc({ protocol: 'flv' }, out.flv);
      },
    });
    // Observed per answer without prom-client's per-call label hashing, folded into the exposition at scrape time.
    this.hlsDuration = new FoldedHistogram({
      name: 'onair_hls_request_duration_seconds', help: 'HLS response time by resource kind and status (blocking playlist reloads include their wait)',
      labelNames: ['kind', 'status'], buckets: HLS_LATENCY_BUCKETS, registers,
    });
    const queued = src.queuedWrites;
    if (queued) {
      new Gauge({
        name: 'onair_database_queued_writes', help: 'Session, status and event writes waiting in memory for PostgreSQL (non-zero during an outage)', registers,
        collect() {
          this.set(queued());
        },
      });
    }
    const lean = src.leanRequests;
    if (lean) {
      new Counter({
        name: 'onair_http_lean_requests_total',
        help: 'HLS requests answered by the lean HTTP/1.1 front (--hls-lean-http) by listener (public: the HTTP port; internal: a worker\'s loopback port, requests its sibling workers forward)',
        labelNames: ['listener'], registers,
        collect() {
          this.reset();
          const n = lean();
          this.inc({ listener: 'public' }, n.public);
          this.inc({ listener: 'internal' }, n.internal);
        },
      });
    }
    const listMissing = src.clusterListMissing;
    if (listMissing) {
      new Counter({
        name: 'onair_health_list_nodes_missing_total',
        help: '--cluster: other nodes left out of a stream list (GET /api/v1/health) answered here: no valid list within 2 s (the list lacked their streams)',
        registers,
        collect() {
          this.reset();
          this.inc(listMissing());
        },
      });
    }
    if (src.edgeHls) registerEdgeHlsMetrics(this.registry, src.edgeHls, 'onair_edge_hls', 'Edge HLS proxy', 'owning nodes');
    if (src.workerHls) registerEdgeHlsMetrics(this.registry, src.workerHls, 'onair_worker_hls', 'Worker HLS copy', 'owning workers');
    registerWebhookGauges(this.registry, src);
    if (src.monitor) registerStreamMetrics(this.registry, { monitor: src.monitor, transcodeStatus: src.transcodeStatus, ownersStream });
  }

  observeHlsRequest(o: HlsRequestObservation): void {
    this.hlsDuration.observe(o.kind, o.status, o.seconds);
    if (o.bytes > 0) this.hlsBytes += o.bytes;
  }

  /** HLS bytes of an answer observed elsewhere (workers: the owner's answer relayed to this worker's viewer). */
  countHlsBytes(bytes: number): void {
    if (bytes > 0) this.hlsBytes += bytes;
  }

  close(): void {
    this.traffic.close();
    this.registry.clear();
  }
}

/**
 * An HLS proxy (the edge's between nodes, a worker's between workers): counters and gauges read from its own sums
 * (labels: fixed sets, set to 0 from the start), named `<prefix>_*`.
 */
function registerEdgeHlsMetrics(registry: Registry, proxy: EdgeHlsProxySource, prefix: string, what: string, owners: string): void {
  const registers = [registry];
  new Counter({
    name: `${prefix}_cache_requests_total`, help: `${what}: viewer requests by how they were answered (hit: cache; coalesced: joined a request to the owner in flight; miss: a new one)`,
    labelNames: ['result'], registers,
    collect() {
      this.reset();
      for (const [result, n] of Object.entries(proxy.stats.cache)) this.inc({ result }, n);
    },
  });
  new Counter({
    name: `${prefix}_upstream_requests_total`, help: `${what}: requests to ${owners} by outcome (ok, refused: another status, error: no usable answer, timeout, busy: not sent, too many in flight)`,
    labelNames: ['outcome'], registers,
    collect() {
      this.reset();
      for (const [outcome, n] of Object.entries(proxy.stats.upstream)) this.inc({ outcome }, n);
    },
  });
  const gauge = (name: string, help: string, pick: (c: EdgeHlsProxySource['cached']) => number) => new Gauge({
    name, help, registers,
    collect() {
      this.set(pick(proxy.cached));
    },
  });
  gauge(`${prefix}_cache_bytes`, `${what}: bytes of owners' playlists and media held`, (c) => c.bytes);
  gauge(`${prefix}_cache_entries`, `${what}: objects held`, (c) => c.entries);
  gauge(`${prefix}_upstream_in_flight`, `${what}: requests to ${owners} waiting for their answer`, (c) => c.inFlight);
}

function registerWebhookGauges(registry: Registry, src: OnAirMetricsSources): void {
  const read = src.webhookDeliveries;
  if (!read) return;
  let last: Promise<{ status: string; deliveries: number; attempts: number }[]> | undefined;
  // One query serves both gauges of a scrape.
  const rows = () => (last ??= read().finally(() => setImmediate(() => (last = undefined))));
  const gauge = (name: string, help: string, pick: (r: { deliveries: number; attempts: number }) => number) => new Gauge({
    name, help, labelNames: ['status'], registers: [registry],
    // Counted in the one database every worker reads: the same figure from each, taken once when workers' registries are merged.
    aggregator: 'first',
    async collect() {
      this.reset();
      for (const status of ['pending', 'succeeded', 'failed']) this.set({ status }, 0);
      try {
        for (const r of await rows()) this.set({ status: r.status }, pick(r));
      } catch (err) {
        src.log.warn({ err }, 'metrics: webhook delivery counts unavailable');
      }
    },
  });
  gauge('onair_webhook_deliveries', 'Stored webhook deliveries by outcome (pending: retrying or not yet sent)', (r) => r.deliveries);
  gauge('onair_webhook_delivery_attempts', 'Delivery attempts made, by the delivery\'s outcome', (r) => r.attempts);
}
