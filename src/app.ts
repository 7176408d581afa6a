import { join } from 'node:path';
import type { Config } from './config/schema.js';
import type { Logger } from './core/logger.js';
import { StreamHub } from './hub/index.js';
import { openDatabase } from './db/open-database.js';
import type { Database } from './db/database.js';
import { fullGc } from './core/full-gc.js';
import { StreamService } from './services/streams/stream-service.js';
import { StreamLifecycle } from './services/streams/stream-lifecycle.js';
import { StreamUrls } from './services/streams/stream-urls.js';
import { PlaybackDirectory } from './services/streams/playback-directory.js';
import { PlaybackDirectorySync } from './services/streams/playback-directory-sync.js';
import { DeferredWrites } from './services/streams/deferred-writes.js';
import { DRAIN_WRITES_QUIET_MS, DRAIN_WRITES_WAIT_MS } from './services/streams/limits.js';
import type { NodeRun } from './services/streams/lost-session-store.js';
import { LastKnownKeys } from './services/auth/last-known-keys.js';
import { WebhookDispatcher } from './services/webhooks/webhook-dispatcher.js';
import { WebhookService } from './services/webhooks/webhook-service.js';
import { WebhookTargetPolicy } from './services/webhooks/target-policy.js';
import { AdminTokenAuthenticator } from './services/auth/admin-token.js';
import { getOrCreateServerSecret } from './services/auth/server-secrets.js';
import { ConfiguredPublishAuthorizer } from './services/auth/publish-authorizer.js';
import { ConfiguredPlayAuthorizer } from './services/auth/play-authorizer.js';
import { RtmpServer } from './servers/rtmp/rtmp-server.js';
import { SrtServer } from './servers/srt/srt-server.js';
import { HubAcceptor } from './servers/srt/hub-acceptor.js';
import type { PlayAuthRequest, RtmpAuth } from './servers/auth-port.js';
import { createHttpApp } from './servers/http/create-http-app.js';
import { registerHls } from './servers/http/playback/hls/register-hls.js';
import { registerFlv } from './servers/http/playback/flv/register-flv.js';
import { registerWatchPage } from './servers/http/playback/watch/watch-routes.js';
import { registerDashboard } from './servers/http/dashboard/register-dashboard.js';
import { connectLifecycle } from './services/streams/hub-lifecycle-link.js';
import { HlsPackagers, hlsSettings } from './bridges/hls/index.js';
import { flvTranscodePipes } from './bridges/transcode/index.js';
import { TranscodeService, discoverFfmpeg, ladderLookup } from './services/transcode/index.js';
import { checkPortsFree, listenClaims, listenError } from './servers/net/port-preflight.js';
import { checkAuthSettings, readTlsFiles, takeoverPolicy } from './config/startup-checks.js';
import { trustProxyOption } from './servers/http/trust-proxy.js';
import { RepushService, TargetService, TargetStore } from './services/repush/index.js';
import { rtmpPushConnector } from './servers/rtmp/rtmp-push-connector.js';
import { fmp4RecordingPort } from './bridges/record/index.js';
import { AssetService, RecordingService } from './services/recording/index.js';
import { assetsRoutes } from './servers/http/api/routes/assets-routes.js';
import { registerVod } from './servers/http/playback/vod/register-vod.js';
import { createMonitoring, healthThresholds } from './app-monitoring.js';
import {
  ClusterEventRelay, ClusterPublishGate, DeadNodeSweeper, HlsContinuity, NodeDrainer, advertisedUrls, checkClusterSettings, createCoordinator,
  type ClusterCoordinator,
} from './services/cluster/index.js';
import { clusterRoutes } from './servers/http/api/routes/cluster-routes.js';
import { healthListHere } from './servers/http/api/health-routes.js';
import { checkEdgeSettings, createEdge, ownerLocatorOf } from './app-edge.js';
import { FirstOwnerLocator, ownPublisher, type EdgePulls, type OwnerLocator } from './services/edge/index.js';
import { shareClusterAudience } from './app-cluster-audience.js';
import { clusterHealth } from './app-cluster-health.js';
import { answerGathers, listenInternal, machineViews, packagedInWorker, ownerWorkerHttp, packagedOnProxyingEdge, shareWorkerAudience, workerHlsProxy, type WorkerRole } from './app-workers.js';

export interface RunningOnAir {
  readonly hub: StreamHub;
  /** `internal`: a worker's own loopback RTMP and HTTP ports (other workers pull and forward HLS there). */
  readonly ports: { rtmp: number; rtmps?: number; http: number; srt: number | null; internal?: { rtmp: number; http: number } };
  readonly streams: StreamService;
  readonly transcode: TranscodeService;
  readonly targets: TargetService;
  readonly recording: RecordingService;
  /** Open RTMP/RTMPS connections (any state). */
  rtmpConnections(): number;
  /**
   * The SRT listener (null with --srt-port 0): `publisherStats(streamPath)` gives the transport health of the
   * caller publishing a stream (RTT, loss, retransmits, drops, buffer, bitrate), `sessionStats()` every session's.
   */
  readonly srt: SrtServer | null;
  /** The admin token generated at this first start (null when configured or generated earlier). */
  readonly generatedApiToken: string | null;
  /** Multi-node coordination (the local coordinator without --cluster); `drained` resolves when a drain has emptied the node. */
  readonly cluster: {
    readonly coordinator: ClusterCoordinator;
    /** Drains this process only (a worker's share of a machine's drain). */
    drainHere(): Promise<{ publishers: number }>;
    readonly drained: Promise<void>;
  };
  /** Pulls of streams published elsewhere (undefined: no locator, this server pulls nothing). */
  readonly edge: EdgePulls | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Wraps the opened database (tests count the queries a workload makes). */
  readonly wrapDatabase?: (db: Database) => Database;
  /** Where streams published elsewhere are (cluster coordinator, workers' primary); default: --edge-origin. */
  readonly ownerLocator?: OwnerLocator;
  /** Set in a `--workers` worker (workers-worker.ts). */
  readonly worker?: WorkerRole;
}

/**
 * The composition root's body: builds every module from the config and starts the listeners. main.ts
 * adds process concerns (argv, signals, printing); tests call this directly with port 0.
 */
export async function startOnAir(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningOnAir> {
  // Everything an operator can get wrong is checked before the database (and a first start's admin token) exists.
  const tls = readTlsFiles(config);
  checkAuthSettings(config);
  checkClusterSettings(config);
  trustProxyOption(config.trustProxy);
  const coordinator = createCoordinator(config, log, options.worker?.instance);
  // Before anything runs under this node id (start-up repair ends its open sessions): one process per id.
  await coordinator.reserveId();
  // Where a stream published elsewhere is: the workers' primary (this machine), then the cluster's registry (other
  // machines: this machine's other workers are skipped there), else --edge-origin.
  const clusterLocator = coordinator.clustered ? coordinator : undefined;
  const locator = ownerLocatorOf(config, options.ownerLocator && clusterLocator
    ? new FirstOwnerLocator([options.ownerLocator, clusterLocator], (owner) => options.worker?.siblingNode(owner.nodeId) === true)
    : options.ownerLocator ?? clusterLocator);
  checkEdgeSettings(config, locator);
  const webhookTargets = new WebhookTargetPolicy(config.webhookAllowNetworks);
  // A worker's shared ports are held by the primary, which checked them.
  if (!options.worker) await checkPortsFree(config.host, listenClaims(config, tls !== undefined));
  const hub = new StreamHub(
    {
      gop: { maxBytes: config.gopCacheMaxBytes, maxMs: config.gopCacheMaxMs },
      subscriber: { budgetBytes: config.subscriberBudgetBytes, slowTimeoutMs: config.slowSubscriberTimeoutMs },
      takeover: takeoverPolicy(config),
      health: healthThresholds(config),
    },
    log.child({ mod: 'hub' }),
  );
  // The edge plans a pulled stream's renditions from its ladder, as the owner's transcoder does (bound below).
  // --cluster with health on: this node's HLS viewers of other nodes' streams are reported to them (shareClusterAudience).
  const edge = createEdge(config, hub, locator, log, (path) => ladderOf(path), coordinator.clustered && config.health);
  if (config.auth === 'open') {
    log.warn('AUTH IS OPEN (--auth open): anyone who can reach this server can publish under any name. Development only.');
  }

  const gate = new ClusterPublishGate({ coordinator, hub, takeover: takeoverPolicy(config), log });
  const drainer = new NodeDrainer({ hub, coordinator, gate, log: log.child({ mod: 'cluster' }), drainMachine: options.worker?.drainMachine });
  const opened = await openDatabase(config);
  const db = options.wrapDatabase?.(opened) ?? opened;
  // Playback decisions come from memory; PGlite is this process's own, so only PostgreSQL needs the safety reload.
  const directory = new PlaybackDirectory(log.child({ mod: 'playback-directory' }));
  const directorySync = new PlaybackDirectorySync(db, directory, log, {
    reloadIntervalMs: db.kind === 'postgres' ? config.playbackDirectoryReloadSec * 1000 : Infinity,
  });
  await directorySync.start();
  // PostgreSQL outage (README): sessions, stream status and events wait in memory, in order, until it is back.
  const writes = db.kind === 'postgres' ? new DeferredWrites(log) : undefined;
  // PGlite is this process's own: nobody else queues deliveries in it, so the worker needs no poll.
  const dispatcher = new WebhookDispatcher({
    db, logger: log.child({ mod: 'webhooks' }), options: db.kind === 'pglite' ? { pollIntervalMs: Infinity } : {}, targets: webhookTargets, writes,
  });
  const streams = new StreamService({
    db, logger: log.child({ mod: 'streams' }), events: dispatcher, defaultReconnectWindowSec: config.reconnectWindowSec, defaultLatencyMode: config.latencyMode,
    kickPublisher: (path, reason) => gate.kickPublisher(path, reason), directory,
  });
  const ffmpeg = await discoverFfmpeg({ configuredPath: config.ffmpegPath });
  const ladderOf = ladderLookup(streams, config.transcodeDefaultLadder);
  const transcode = new TranscodeService({
    hub, log: log.child({ mod: 'transcode' }), pipes: flvTranscodePipes, ffmpeg,
    ladderOf,
    encoder: config.transcodeEncoder, maxTranscodes: config.maxTranscodes, budgetMpx: config.transcodeBudgetMpx,
  });
  // Stream events are the owner's alone: queued once for webhooks, announced to the other nodes.
  const streamEvents = coordinator.clustered ? new ClusterEventRelay(dispatcher, coordinator) : dispatcher;
  // This cluster node and its current run, stored with its sessions and recordings (a survivor settles them).
  const liveness = coordinator.liveness;
  const nodeRun = liveness && ((): NodeRun => ({ id: liveness.nodeId, run: liveness.run() }));
  const lifecycle = new StreamLifecycle({
    db, logger: log.child({ mod: 'lifecycle' }), events: streamEvents,
    liveElsewhere: async (path) => (await coordinator.locate(path)) !== undefined, writes,
    node: nodeRun,
  });
  // A dead node's sessions and streams are settled by one survivor (README "Running several nodes").
  const sweeper = coordinator.liveness
    ? new DeadNodeSweeper({
      liveness: coordinator.liveness, db, events: streamEvents, leaseMs: config.clusterLeaseMs, log,
      nodeGone: (nodeId, run, reason) => recording.recoverForNode(nodeId, run, reason), // called after recording.init()
    })
    : undefined;
  // Start-up repair ends every open session and recording in the (shared) database, so it may only run where none
  // of them can be live elsewhere: the first node up of a cluster, and among workers the first start of worker 1.
  const othersAlive = await coordinator.othersAlive();
  if (othersAlive) log.info('other cluster nodes are up: start-up session repair left to them (recordings too)');
  const repairAtStart = !othersAlive && options.worker?.runOnce !== false;
  if (repairAtStart) await lifecycle.recover();
  const unlink = connectLifecycle(hub, lifecycle, log);
  const recording = new RecordingService({
    db, hub, port: fmp4RecordingPort, logger: log.child({ mod: 'recording' }), events: dispatcher, streams,
    dir: config.recordDir || join(config.dataDir, 'recordings'), minFreeBytes: config.recordMinFreeMb * 1024 * 1024,
    defaultReconnectWindowSec: config.reconnectWindowSec, recoverAtStart: repairAtStart, writes,
    node: nodeRun,
  });
  await recording.init();
  // Before any publisher (the servers listen later), after recording.init: its previous run's recordings are finished.
  if (!repairAtStart) await sweeper?.endOwnStaleSessions();
  const webhooks = new WebhookService({ db, dispatcher, targets: webhookTargets });
  const { auth: adminAuth, generatedToken } = await AdminTokenAuthenticator.init(db, config.apiToken);
  const playbackSecret = config.playbackSecret || (await getOrCreateServerSecret(db, 'playback_secret'));
  const authLog = log.child({ mod: 'auth' });
  const publishAuth = new ConfiguredPublishAuthorizer({
    mode: config.auth, streams: writes ? new LastKnownKeys(streams, directory, authLog) : streams, logger: authLog, publishSecret: config.publishSecret,
    callbackUrl: config.authCallbackUrl, callbackTimeoutMs: config.authCallbackTimeoutMs, callbackKeepName: config.authCallbackKeepName,
  });
  const playAuth = new ConfiguredPlayAuthorizer({ directory, playbackSecret, namedStreams: config.auth === 'open' || config.auth === 'callback', logger: authLog });
  // RTMP plays may be other nodes' internal pulls (a valid edge token); HTTP playback is viewers only.
  const rtmpPlayAuth = edge.ownerAuth(playAuth);
  // Cluster mode: a new packager continues the playlist the stream's last owner had (read when the publish is admitted).
  const hlsContinuity = config.hls && coordinator.notes
    ? new HlsContinuity(coordinator.notes, (path) => coordinator.held().has(path), log.child({ mod: 'hls' }))
    : undefined;
  const auth: RtmpAuth = {
    authorizePublish: async (r) => {
      const decision = await gate.admit(await publishAuth.authorizePublish(r));
      if (decision.ok) await hlsContinuity?.prefetch(decision.streamPath);
      return decision;
    },
    authorizePlay: (r) => rtmpPlayAuth.authorizePlay(r),
    watchPlay: (r, onRevoke) => rtmpPlayAuth.watchPlay(r, onRevoke),
  };

  const rtmp = new RtmpServer(
    {
      host: config.host, port: config.rtmpPort,
      tls: tls ? { port: config.rtmpsPort, options: tls } : undefined,
      maxMessageSize: config.maxMessageSize, chunkSize: config.chunkSize, handshakeTimeoutMs: config.handshakeTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs, maxConnections: config.maxConnections, tcpNodelay: config.tcpNodelay,
      mergedReadMaxMs: config.mergedReadMaxMs,
    },
    hub, auth, log.child({ mod: 'rtmp' }), edge.pulls,
  );
  // Workers: SRT (one UDP socket, sessions by peer) is the first worker's alone.
  const srt = config.srtPort > 0 && (options.worker?.index ?? 1) === 1
    ? new SrtServer(
      { host: config.host, port: config.srtPort, latencyMs: config.srtLatencyMs, maxSessions: config.maxConnections },
      new HubAcceptor({ hub, auth, log: log.child({ mod: 'srt' }), passphrase: config.srtPassphrase || null }),
      log.child({ mod: 'srt' }),
    )
    : null;
  const ports = { rtmp: config.rtmpPort, rtmps: undefined as number | undefined, http: config.httpPort, srt: null as number | null };
  const urls = new StreamUrls({ publicUrl: config.publicUrl, hls: config.hls, ports: () => ({ rtmp: ports.rtmp, rtmps: ports.rtmps ?? null, http: ports.http, srt: ports.srt }) });
  const repush = new RepushService({
    hub, targets: new TargetStore(db), connector: rtmpPushConnector(hub, { shared: rtmp.shared, scheduler: rtmp.flusher }), streamOf: (id) => streams.get(id),
    events: dispatcher, directory, log: log.child({ mod: 'repush' }),
    options: {
      timeoutMs: config.repushTimeoutMs, budgetBytes: config.repushBudgetBytes, slowTimeoutMs: config.slowSubscriberTimeoutMs,
      retry: { minMs: config.repushRetryMinMs, maxMs: Math.max(config.repushRetryMinMs, config.repushRetryMaxMs) },
    },
  });
  const targets = new TargetService({ db, repush, streamExists: async (id) => (await streams.get(id)) !== null, logger: log.child({ mod: 'targets' }) });
  const assets = new AssetService({ db, recording, port: fmp4RecordingPort, streams, events: dispatcher, logger: log });
  const siblingHls = options.worker ? workerHlsProxy(config, options.ownerLocator, log) : undefined;
  // Workers: /metrics and the stream list answer for the machine (this worker's loopback port: for it alone).
  let internalHttp: number | undefined;
  const machine = options.worker ? machineViews(options.worker, hub, () => internalHttp) : undefined;
  // --cluster: a stream's health is its owning node's, and the stream list the cluster's.
  const worker = options.worker;
  const nodeHealth = coordinator.clustered ? clusterHealth(coordinator, hub, worker && ((id) => worker.siblingNode(id))) : undefined;
  const monitoring = createMonitoring({
    config, hub, db, streams, events: dispatcher, log, rtmpConnections: () => rtmp.connectionCount, transcodeStatus: (path) => transcode.status(path),
    queuedWrites: writes && (() => writes.pending), edgeHls: edge.hlsProxy, workerHls: siblingHls,
    // The HLS routes are registered below; the metrics read this at scrape time only, after start-up.
    leanRequests: () => hlsRoutes.leanRequests(),
    worker: options.worker !== undefined, clustered: coordinator.clustered,
    ...(machine ? { siblingPull: machine.siblingPull, siblingStream: machine.siblingStream, machineMetrics: machine.machineMetrics } : {}),
    ...(nodeHealth ? { clusterListMissing: nodeHealth.missingNodes } : {}),
  });
  const http = createHttpApp({
    config, logger: log, streams, webhooks, targets, adminAuth, urls, playbackSecret, transcodeStatus: (path) => transcode.status(path),
    // After a PostgreSQL outage the stream's row lags until the queued writes replay: a live publisher here says active.
    ...(writes ? { liveHere: (path: string) => writes.pending > 0 && ownPublisherActive(hub, path) } : {}),
    apiPlugins: [assetsRoutes({ assets, urls }), clusterRoutes({ coordinator, drainer })],
    healthMonitor: monitoring.monitor,
    // Workers: a stream another worker owns has its health (and every worker's viewers of it) there.
    ...(options.worker ? { healthOwnerWorker: ownerWorkerHttp(hub, options.worker) } : {}),
    ...(machine ? { healthMachineList: machine.machineList } : {}),
    ...(nodeHealth ? { healthOwnerNode: nodeHealth.ownerNode, healthClusterList: nodeHealth.clusterList } : {}),
  });
  if (options.worker && machine) {
    answerGathers(options.worker, {
      metrics: () => monitoring.metricsJson(),
      health: () => healthListHere({ monitor: monitoring.monitor, machineList: machine.machineList, clusterList: nodeHealth?.clusterList }),
    });
  }
  monitoring.attachHttp(http);
  // Workers: HLS, RTMP and FLV viewers are counted where they arrive and summed at each stream's owner.
  if (options.worker && monitoring.monitor && monitoring.audience && monitoring.siblingPlayers) {
    shareWorkerAudience(options.worker, { hls: monitoring.audience, players: monitoring.siblingPlayers }, monitoring.monitor, hub);
  }
  // --cluster: and each node's viewers of the streams it serves but does not own are summed at the owning node.
  if (coordinator.mail && monitoring.monitor && monitoring.audience && monitoring.siblingPlayers) {
    const { hlsProxy } = edge;
    shareClusterAudience({
      nodeId: coordinator.nodeId, mail: coordinator.mail, hub, monitor: monitoring.monitor, hls: monitoring.audience, players: monitoring.siblingPlayers,
      locate: (path) => (hlsProxy ? hlsProxy.owner(path) : coordinator.locate(path)), log: log.child({ mod: 'cluster' }),
      ...(worker ? { siblingNode: (id: string) => worker.siblingNode(id), countedBySibling: async (path: string) => (await worker.hlsOrigin(path)) !== undefined } : {}),
    });
  }
  // HLS packaging subscribes to the hub for every published stream; the HTTP routes only serve what it made.
  const hlsPackagers = config.hls
    ? new HlsPackagers(hub, (d) => hlsSettings(config, d), log.child({ mod: 'hls' }), undefined, (path) => transcode.timeline(path),
      // Workers: HLS of a stream is packaged once per machine, by its owner or by the one worker pulling it from another
      // node (other workers forward to it); pulls from a sibling worker are not packaged. `--edge-hls proxy`: a pull
      // from a node whose HLS is proxied is not packaged either (no HLS request reaches that packager), unless
      // --edge-hls-package-pulls (see README "Packaging of pulls").
      (publisher, path) => (!options.worker || packagedInWorker(publisher))
        && (!edge.hlsProxy || config.edgeHlsPackagePulls || packagedOnProxyingEdge(publisher, edge.pulls?.ownerOf(path))),
      hlsContinuity && {
        take: (path) => hlsContinuity.take(path),
        record: (path, instance, position, ttlMs) => hlsContinuity.record(path, instance, position, ttlMs),
        ended: (path, instance) => hlsContinuity.ended(path, instance),
        // A pull whose HLS is proxied: its packager's playlist is nobody's; the owner's goes on when the stream moves here.
        unserved: (publisher, path) => edge.hlsProxy !== undefined && !packagedOnProxyingEdge(publisher, edge.pulls?.ownerOf(path)),
      })
    : undefined;
  const playback = {
    hub, config, log: log.child({ mod: 'playback' }), authorizePlay: auth.authorizePlay, decidePlay: (r: PlayAuthRequest) => playAuth.decide(r), watchPlay: auth.watchPlay,
    renditions: (path: string) => {
      const here = transcode.renditions(path);
      return here.length > 0 || !edge.renditions ? here : edge.renditions.renditions(path);
    },
    edge: edge.pulls, edgeRenditions: edge.renditions,
  };
  const hlsRoutes = registerHls(http, {
    ...playback, packagers: hlsPackagers, hlsOrigin: options.worker?.hlsOrigin, siblingHls, hlsObserver: monitoring.hlsObserver,
    edgeHls: edge.hlsProxy, edgeSecret: config.clusterSecret || undefined, leanHttp: config.hlsLeanHttp,
    ...(coordinator.clustered ? { leaseHeld: (path: string) => coordinator.held().has(path) } : {}),
    renditionPending: (path, name) => transcode.renditionPending(path, name),
  });
  const flv = registerFlv(http, playback);
  registerVod(http, { assets, decideRecorded: (r) => playAuth.decideRecorded(r) });
  registerWatchPage(http, playback, config.hls);
  registerDashboard(http);

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    monitoring.close();
    edge.renditions?.close();
    edge.pulls?.close();
    edge.hlsProxy?.close();
    siblingHls?.close();
    hlsPackagers?.close();
    flv.close();
    repush.close();
    await rtmp.close();
    await srt?.close();
    gate.close();
    await sweeper?.close();
    await coordinator.close();
    await recording.close();
    await transcode.close();
    hub.close();
    unlink();
    await http.close();
    lifecycle.close();
    await directorySync.close();
    await dispatcher.close();
    writes?.close();
    await db.close();
  })());
  try {
    Object.assign(ports, await rtmp.listen().catch((err: { port?: number }) => {
      throw listenError(err, err.port === config.rtmpsPort && tls ? '--rtmps-port' : '--rtmp-port', config.host, err.port ?? config.rtmpPort);
    }));
    if (srt) {
      ports.srt = await srt.listen().catch((err: unknown) => {
        throw listenError(err, '--srt-port', config.host, config.srtPort);
      });
    }
    await http.listen({ host: config.host, port: config.httpPort }).catch((err: unknown) => {
      throw listenError(err, '--http-port', config.host, config.httpPort);
    });
  } catch (err) {
    // A token nobody was shown must not stay the only one: the next start generates and prints a new one.
    if (generatedToken) await AdminTokenAuthenticator.forget(db, generatedToken).catch(() => {});
    await close();
    throw err;
  }
  ports.http = (http.server.address() as { port: number }).port;
  if (options.worker) {
    const internal = await listenInternal(rtmp, http.server, hlsRoutes.mountLean);
    internalHttp = internal.http;
    Object.assign(ports, { internal });
  }
  await coordinator.start(advertisedUrls(config, ports));
  // Workers: one sweeper per machine is enough (the sweep is under a cluster-wide lock anyway).
  if ((options.worker?.index ?? 1) === 1) sweeper?.start();
  dispatcher.start();
  monitoring.start();
  // After start-up has returned: its last references to the database's start-up buffers are gone by then.
  if (db.kind === 'pglite') setTimeout(fullGc, 500).unref();

  return {
    hub,
    ports,
    streams,
    transcode,
    targets,
    recording,
    rtmpConnections: () => rtmp.connectionCount,
    srt,
    generatedApiToken: generatedToken,
    cluster: { coordinator, drainHere: () => drainer.drainHere(), drained: drainer.drained.then(() => writesSettled(writes, log)) },
    edge: edge.pulls,
    close,
  };
}

/**
 * A drained node leaves once the writes it queued while the database was unavailable (its publishers' session ends,
 * status changes, events) are written, waiting up to DRAIN_WRITES_WAIT_MS: leaving earlier would lose them with the
 * queue (a rolling upgrade during a PostgreSQL outage). Past the wait it leaves anyway, and says what is lost.
 */
async function writesSettled(writes: DeferredWrites | undefined, log: Logger): Promise<void> {
  // The publishers' last writes (session ends) start as they leave: a second of quiet before leaving.
  if (!writes || await writes.settled(DRAIN_WRITES_QUIET_MS, DRAIN_WRITES_QUIET_MS)) return;
  log.info({ queued: writes.pending, waitMs: DRAIN_WRITES_WAIT_MS }, 'drained: waiting for the database writes queued during its outage before leaving');
  if (await writes.settled(DRAIN_WRITES_WAIT_MS, DRAIN_WRITES_QUIET_MS)) log.info('drained: queued database writes written');
  else log.warn({ lost: writes.pending }, 'drained: the database is still unavailable; leaving with writes still queued');
}

/** True when `path` has a publisher of this node's own (not an edge pull) past its first keyframe. */
function ownPublisherActive(hub: StreamHub, path: string): boolean {
  return ownPublisher(hub, path) !== undefined && hub.stream(path)?.isActive === true;
}

