import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.js';
import type { Logger } from './core/logger.js';
import type { Database } from './db/database.js';
import type { PublisherInfo, StreamHub } from './hub/index.js';
import type { HealthThresholds } from './hub/health/index.js';
import { HealthMonitor, HlsAudience, SiblingPlayers, connectHealthWebhooks } from './services/health/index.js';
import { OnAirMetrics, type EdgeHlsProxySource, type LeanRequestCounts } from './services/metrics/index.js';
import type { StreamRecord } from './services/streams/stream-types.js';
import type { TranscodeStatus } from './services/transcode/types.js';
import type { EventPublisher } from './services/streams/stream-events.js';
import { WebhookDeliveryStore } from './services/webhooks/webhook-delivery-store.js';
import { hlsObserver } from './servers/http/metrics/hls-observer.js';
import type { HlsResponseObserver } from './servers/http/playback/hls/hls-observer-hook.js';
import { registerMetricsRoute, type MachineMetrics } from './servers/http/metrics/metrics-route.js';

/** The hub's health thresholds from the config; undefined with --health off (nothing measured per packet). */
export function healthThresholds(config: Config): HealthThresholds | undefined {
  if (!config.health) return undefined;
  return {
    stallMs: config.healthStallMs, keyframeIntervalMaxMs: config.healthKeyframeIntervalMaxMs, bitrateDropPct: config.healthBitrateDropPct,
    fpsTolerancePct: config.healthFpsTolerancePct, avDesyncMs: config.healthAvDesyncMs, driftMs: config.healthDriftMs,
  };
}

export interface MonitoringDeps {
  readonly config: Config;
  readonly hub: StreamHub;
  readonly db: Database;
  readonly streams: { get(id: string): Promise<StreamRecord | null> };
  readonly events: EventPublisher;
  readonly log: Logger;
  readonly rtmpConnections: () => number;
  readonly transcodeStatus: (streamPath: string) => TranscodeStatus | undefined;
  /** PostgreSQL outage: writes waiting for the database (a gauge). */
  readonly queuedWrites?: () => number;
  /** `--edge-hls proxy`: its cache and upstream counts (onair_edge_hls_*). */
  readonly edgeHls?: EdgeHlsProxySource;
  /** `--workers`: this worker's copy of its siblings' HLS (onair_worker_hls_*). */
  readonly workerHls?: EdgeHlsProxySource;
  /** The lean HTTP front's request counts (onair_http_lean_requests_total); read at scrape time, so bound late. */
  readonly leanRequests?: () => LeanRequestCounts;
  /** `--workers`: this process is a worker (its siblings report their RTMP/FLV viewers of its streams). */
  readonly worker?: boolean;
  /** `--workers`: a publisher that is a pull from a sibling worker (its stream is the owner's to report). */
  readonly siblingPull?: (publisher: PublisherInfo) => boolean;
  /** `--workers`: a stream held here as a pull from a sibling worker, live or ended (its owner reports it). */
  readonly siblingStream?: (path: string) => boolean;
  /** `--workers`: `/metrics` answers for the machine (the siblings' registries merged with this one's). */
  readonly machineMetrics?: MachineMetrics;
  /** `--cluster`: the other nodes report their RTMP/FLV viewers of the streams owned here (app-cluster-audience.ts). */
  readonly clustered?: boolean;
  /** `--cluster`: nodes left out of a cluster stream list since start (onair_health_list_nodes_missing_total). */
  readonly clusterListMissing?: () => number;
}

export interface Monitoring {
  /** Absent with --health off. */
  readonly monitor: HealthMonitor | undefined;
  /** The HLS viewer estimate the monitor reads; absent with --health off. */
  readonly audience: HlsAudience | undefined;
  /** The sibling workers' and other nodes' RTMP/FLV viewers of the streams owned here; absent outside workers and --cluster, or with --health off. */
  readonly siblingPlayers: SiblingPlayers | undefined;
  /** Told of every HLS answer by the HLS front (metrics, HLS audience); undefined when neither is on. */
  readonly hlsObserver: HlsResponseObserver | undefined;
  /** Adds /metrics to the HTTP app (before it listens). */
  attachHttp(http: FastifyInstance): void;
  /** This process's registry as JSON (a worker's part of the machine's /metrics); undefined with --metrics off. */
  metricsJson(): Promise<unknown> | undefined;
  start(): void;
  close(): void;
}

/** Part of the composition root: ingest health (monitor, HLS audience, webhooks) and Prometheus metrics. */
export function createMonitoring(deps: MonitoringDeps): Monitoring {
  const { config, log } = deps;
  const audience = config.health ? new HlsAudience() : undefined;
  const siblingPlayers = audience && (deps.worker || deps.clustered) ? new SiblingPlayers() : undefined;
  const monitor = audience
    ? new HealthMonitor({ hub: deps.hub, audience, siblingPlayers, hysteresisMs: config.healthHysteresisSec * 1000, log: log.child({ mod: 'health' }) })
    : undefined;
  const unlink = monitor ? connectHealthWebhooks({ monitor, streams: deps.streams, events: deps.events, log: log.child({ mod: 'health' }) }) : () => {};
  const deliveries = new WebhookDeliveryStore(deps.db);
  const metrics = config.metrics
    ? new OnAirMetrics({
      hub: deps.hub, log: log.child({ mod: 'metrics' }), rtmpConnections: deps.rtmpConnections, monitor, audience,
      transcodeStatus: deps.transcodeStatus, webhookDeliveries: () => deliveries.countByStatus(), queuedWrites: deps.queuedWrites,
      edgeHls: deps.edgeHls, workerHls: deps.workerHls, leanRequests: deps.leanRequests, siblingPull: deps.siblingPull,
      siblingStream: deps.siblingStream, clusterListMissing: deps.clusterListMissing,
    })
    : undefined;
  return {
    monitor,
    audience,
    siblingPlayers,
    hlsObserver: hlsObserver(metrics, audience),
    attachHttp: (http) => {
      if (metrics) registerMetricsRoute(http, metrics, config.metricsToken, deps.machineMetrics);
    },
    metricsJson: () => metrics?.registry.getMetricsAsJSON(),
    start: () => monitor?.start(),
    close: () => {
      unlink();
      monitor?.close();
      metrics?.close();
    },
  };
}
