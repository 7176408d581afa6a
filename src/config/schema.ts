/**
 * Every setting in one table: its CLI flag (`--rtmp-port`), env var (`ONAIR_RTMP_PORT`, or an explicit name),
 * config-file key (`rtmpPort`), type, default and whether it is a secret (masked when printed).
 * Precedence: flag > env > file > default.
 */
export type SettingType = 'int' | 'string' | 'bool' | 'enum';

export interface SettingSpec {
  readonly type: SettingType;
  readonly default: unknown;
  readonly doc: string;
  readonly values?: readonly string[];
  readonly secret?: boolean;
  /** A URL whose password (only) is masked when printed (redis://:pw@host). */
  readonly urlPassword?: boolean;
  /** Extra env var name honoured besides ONAIR_<FLAG> (e.g. DATABASE_URL). */
  readonly env?: string;
  readonly min?: number;
  readonly max?: number;
}

const MiB = 1024 * 1024;

export const SETTINGS = {
  host: { type: 'string', default: '0.0.0.0', doc: 'address every listener binds to' },
  rtmpPort: { type: 'int', default: 1935, min: 0, max: 65535, doc: 'RTMP listener port (0 = ephemeral)' },
  rtmpsPort: { type: 'int', default: 1936, min: 0, max: 65535, doc: 'RTMPS listener port; only opened when --tls-cert and --tls-key are set' },
  tlsCert: { type: 'string', default: '', doc: 'PEM certificate file for RTMPS' },
  tlsKey: { type: 'string', default: '', doc: 'PEM private key file for RTMPS', secret: false },
  srtPort: { type: 'int', default: 9000, min: 0, max: 65535, doc: 'SRT listener UDP port (ingest with m=publish, MPEG-TS playback with m=request); 0 = SRT off' },
  srtPassphrase: { type: 'string', default: '', secret: true, doc: 'SRT encryption passphrase (10-79 characters) every SRT caller must use, unless its stream sets settings.srtPassphrase; empty = no encryption' },
  srtLatencyMs: { type: 'int', default: 120, min: 20, max: 8000, doc: 'SRT latency (TSBPD) asked for in both directions; each direction uses the larger of this and the peer\'s wish' },
  httpPort: { type: 'int', default: 8080, min: 0, max: 65535, doc: 'HTTP port: /healthz, API, HLS, HTTP-FLV' },
  publicUrl: { type: 'string', default: '', doc: 'public base URL used in returned ingest/playback URLs (e.g. https://live.example.com); empty = the request Host' },
  dataDir: { type: 'string', default: './data', doc: 'where the embedded database and recordings live' },
  auth: { type: 'enum', values: ['keys', 'signed', 'callback', 'open'], default: 'keys', doc: 'publish auth: stream keys, signed URLs, HTTP callback, or open (dev only: any name publishes)' },
  authCallbackUrl: { type: 'string', default: '', doc: 'URL POSTed {app,name,query,clientIp,protocol} for --auth callback' },
  authCallbackKeepName: { type: 'bool', default: false, doc: '--auth callback: a 2xx answer that names no stream publishes under the publish name itself, and viewers use that name (only for publish names that are not secrets); off = such an answer refuses the publish' },
  authCallbackTimeoutMs: { type: 'int', default: 3000, min: 100, max: 60000, doc: 'callback auth timeout; a timeout refuses' },
  publishSecret: { type: 'string', default: '', secret: true, doc: 'HMAC secret for signed publish URLs (--auth signed)' },
  playbackSecret: { type: 'string', default: '', secret: true, doc: 'HMAC secret for signed playback tokens; generated and stored when empty' },
  apiToken: { type: 'string', default: '', secret: true, doc: 'admin bearer token for /api/v1; generated at first start when empty' },
  databaseUrl: { type: 'string', default: '', secret: true, env: 'DATABASE_URL', doc: 'PostgreSQL URL; empty = embedded PGlite under --data-dir' },
  playbackDirectoryReloadSec: { type: 'int', default: 5, min: 1, max: 3600, doc: 'with --database-url: full reload period of the in-memory playback directory, the bound on a change made by another instance reaching this one when its NOTIFY was lost (normally it arrives in milliseconds)' },
  logLevel: { type: 'enum', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], default: 'info', doc: 'log level' },
  takeover: { type: 'enum', values: ['auto', 'takeover', 'reject'], default: 'auto', doc: 'a second publisher on a live name replaces the first (takeover) or is refused (reject); auto = reject with --auth open (anyone may publish any name), takeover otherwise (the second publisher holds the key)' },
  trustProxy: { type: 'string', default: '', doc: 'HTTP: take the client address from X-Forwarded-For when the request comes from these proxies (comma-separated addresses or CIDRs, e.g. 127.0.0.1), a hop count, or true (any sender: only when nothing but the proxy reaches the port); empty = off' },
  webhookAllowNetworks: { type: 'string', default: '', doc: 'webhook receivers allowed in these networks (comma-separated CIDRs, e.g. 10.0.0.0/8,127.0.0.1/32); loopback, private, link-local and other non-public addresses are refused by default' },
  maxMessageSize: { type: 'int', default: 8 * MiB, min: 64 * 1024, max: 64 * MiB, doc: 'largest RTMP message accepted from a peer (bytes)' },
  chunkSize: { type: 'int', default: 4096, min: 4096, max: 65536, doc: 'outgoing RTMP chunk size' },
  tcpNodelay: { type: 'bool', default: false, doc: 'TCP_NODELAY on RTMP player sockets: on sends every message at once (lowest latency, more packets); off lets the kernel coalesce small writes (Nagle, as nginx-rtmp does)' },
  mergedReadMaxMs: { type: 'int', default: 200, min: 0, max: 1000, doc: 'merged reads: a publisher\'s drained socket waits up to this long before it is read again, so one wake-up takes every message that arrived meanwhile (SRS "mr"); the wait is also capped by what the stream\'s consumers tolerate (LL-HLS: half a part; standard HLS: a twentieth of a segment; RTMP/FLV players: none, reads at once) and skipped under 50 ms. 0 = off' },
  handshakeTimeoutMs: { type: 'int', default: 5000, min: 500, max: 60000, doc: 'RTMP handshake + connect deadline' },
  idleTimeoutMs: { type: 'int', default: 30000, min: 1000, max: 600000, doc: 'close an RTMP connection that sends nothing for this long (publishers) or never publishes/plays' },
  maxConnections: { type: 'int', default: 10000, min: 1, max: 1000000, doc: 'RTMP connections accepted at once (and, separately, SRT sessions)' },
  gopCacheMaxBytes: { type: 'int', default: 16 * MiB, min: 0, max: 512 * MiB, doc: 'GOP cache cap per stream (bytes); 0 disables fast start' },
  gopCacheMaxMs: { type: 'int', default: 10000, min: 0, max: 120000, doc: 'GOP cache cap per stream (ms of media)' },
  subscriberBudgetBytes: { type: 'int', default: 4 * MiB, min: 64 * 1024, max: 256 * MiB, doc: 'bytes a player may have queued before it is dropped to the next keyframe' },
  slowSubscriberTimeoutMs: { type: 'int', default: 30000, min: 1000, max: 600000, doc: 'a player over its budget this long is disconnected' },
  reconnectWindowSec: { type: 'int', default: 60, min: 0, max: 3600, doc: 'how long a stream stays resumable after its publisher drops' },
  hls: { type: 'bool', default: true, doc: 'HLS/LL-HLS packaging of every live stream; off = RTMP and HTTP-FLV playback only (/hls answers 404), which saves the packaging CPU and memory' },
  latencyMode: { type: 'enum', values: ['low', 'lowest', 'standard'], default: 'low', doc: 'HLS flavour of new API streams and of streams without an API record: low = LL-HLS (~1 s segments cut at keyframes, parts, blocking reload); lowest = LL-HLS with the shortest parts the 85 % rule allows at 24-60 fps (PART-TARGET 0.135 s) and PART-HOLD-BACK 2 part targets (~1.5x the requests per LL-HLS viewer); standard = ~4 s segments, no parts' },
  hlsSegmentMs: { type: 'int', default: 0, min: 0, max: 20000, doc: 'HLS segment target (ms); a segment ends at the first video keyframe past it. 0 = by --latency-mode (low 1000, standard 4000)' },
  hlsPartMs: { type: 'int', default: 0, min: 0, max: 2000, doc: 'LL-HLS part target (ms), low mode only (lowest: always 118). 0 = 200; kept within 100..1000, and raised where whole-frame parts at 24-60 fps would break rfc8216bis\'s 85 % of PART-TARGET (100-117 -> 118, 130-151 -> 152, 180-188 -> 189, 217-220 -> 221). 120 = the lowest-latency setting for every low stream (PART-TARGET 0.135 s; with --hls-part-hold-back-parts 2 what latency mode lowest gives one stream)' },
  hlsFitPartTarget: { type: 'bool', default: true, doc: 'LL-HLS PART-TARGET fitted to the stream\'s frame cadence when the stream is first offered (0.21 s for 200 ms parts at 24-60 fps, up to the part target + 15 % for other cadences); off = always the part target + 15 % (0.23 s). PART-HOLD-BACK is 3 x PART-TARGET' },
  hlsPartHoldBackParts: { type: 'int', default: 3, min: 2, max: 10, doc: 'LL-HLS PART-HOLD-BACK in part targets, low mode (lowest: always 2): how far behind the newest part players start (hls.js, Shaka and Safari start there and at defaults never catch up). 3 = rfc8216bis\'s SHOULD (0.63 s for 200 ms parts); 2 = its MUST minimum (0.42 s), ~0.2 s lower glass-to-glass with less margin against a late part' },
  hlsKeyframeStartMs: { type: 'int', default: 0, min: 0, max: 10_000, doc: 'LL-HLS, low mode (lowest: always at least 2500): a new viewer\'s first media playlist (no _HLS_msn, a client not seen asking one in the last 30 s) is held at most this long (ms), until a player starting PART-HOLD-BACK behind its newest part starts on a keyframe part: hls.js then decodes less than a part before its first frame and keeps less latency, at up to one keyframe interval more time to first frame. 0 = answered at once' },
  hlsViewerReadsAtOnce: { type: 'bool', default: true, doc: 'while LL-HLS viewers watch a stream (a media playlist asked in the last 10 s), its publisher is read at once instead of merged (--merged-read-max-ms), so parts are listed sooner (lower glass-to-glass) at some ingest CPU for that stream; off = merged reads of up to half a part always' },
  hlsWorkerCache: { type: 'bool', default: true, doc: 'with --workers: a worker answers HLS of a stream another worker owns from its own copy of that worker\'s answers (media kept until evicted, playlists shared by concurrent identical requests and kept at most 250 ms, blocking reloads 1 s): one request per object per worker to the owner; every viewer is still authorised by the worker it reached. off = each request is forwarded to the owner and answered there (about twice the CPU per GB)' },
  hlsLeanHttp: { type: 'bool', default: true, doc: 'HLS GET/HEAD requests are parsed and answered by OnAir\'s own lean HTTP/1.1 front below node:http on the same port (the same answers, less CPU per request); anything else on the connection (another route, a body, an unusual head) goes to node:http as before; off = node:http for every request' },
  hlsWindowSegments: { type: 'int', default: 0, min: 0, max: 100, doc: 'complete media segments kept and listed per stream (a publisher absence is listed beside them as EXT-X-GAP segments, at most 300); older ones answer 404. 0 = by --latency-mode (low 12, standard 6); at least 3' },
  transcodeDefaultLadder: { type: 'enum', values: ['passthrough', 'default'], default: 'passthrough', doc: 'ladder of streams that have no API record (--auth open/callback names); API streams use their own "ladder" setting' },
  ffmpegPath: { type: 'string', default: '', env: 'FFMPEG_PATH', doc: 'ffmpeg binary for transcoding; empty = `ffmpeg` on PATH, then a bundled build if installed; none = transcoding streams play passthrough' },
  transcodeEncoder: { type: 'enum', values: ['software', 'nvenc', 'vaapi', 'qsv'], default: 'software', doc: 'H.264 encoder preset: software (libx264) or a hardware encoder (nvenc, vaapi, qsv: untested)' },
  maxTranscodes: { type: 'int', default: 4, min: 0, max: 256, doc: 'streams transcoded at once; later ones play passthrough (0 = transcoding off)' },
  recordDir: { type: 'string', default: '', doc: 'where recordings are written (<dir>/<assetId>/); empty = <data-dir>/recordings' },
  recordMinFreeMb: { type: 'int', default: 1024, min: 0, max: 100_000_000, doc: 'free space (MB) the recordings volume must keep: below it recording stops (asset failed, endReason disk_full) and none starts; checked every 5 s; 0 = never checked' },
  transcodeBudgetMpx: { type: 'int', default: 0, min: 0, max: 100000, doc: 'encode budget in megapixels/s summed over every running rung (0 = 20 per CPU core, about libx264 veryfast realtime capacity)' },
  repushTimeoutMs: { type: 'int', default: 10000, min: 500, max: 120000, doc: 're-push: deadline of each connection step to a target (TCP/TLS connect + handshake + connect, then publish)' },
  repushRetryMinMs: { type: 'int', default: 1000, min: 100, max: 60000, doc: 're-push: first reconnect delay; doubles per consecutive failure (with jitter) up to --repush-retry-max-ms' },
  repushRetryMaxMs: { type: 'int', default: 30000, min: 1000, max: 600000, doc: 're-push: longest reconnect delay' },
  repushBudgetBytes: { type: 'int', default: 4 * MiB, min: 256 * 1024, max: 256 * MiB, doc: 're-push: bytes a target may have queued before it skips to the next keyframe (drops are counted); over it for --slow-subscriber-timeout-ms and the connection is restarted' },
  health: { type: 'bool', default: true, doc: 'ingest health per live stream (bitrate, fps, keyframes, stalls, drift; /api/v1/streams/:id/health, webhooks, per-stream metrics); off = nothing measured per packet' },
  healthStallMs: { type: 'int', default: 2000, min: 500, max: 60000, doc: 'health: no media for longer than this is `stalled` (critical)' },
  healthKeyframeIntervalMaxMs: { type: 'int', default: 4000, min: 500, max: 60000, doc: 'health: keyframes further apart than this (or none for this long) is `keyframe_interval_high`' },
  healthBitrateDropPct: { type: 'int', default: 50, min: 1, max: 99, doc: 'health: the 10 s bitrate under this % of the 60 s average is `bitrate_drop`' },
  healthFpsTolerancePct: { type: 'int', default: 15, min: 1, max: 99, doc: 'health: the 10 s frame rate under the announced (onMetaData) one by more than this % is `fps_below_metadata`' },
  healthAvDesyncMs: { type: 'int', default: 500, min: 50, max: 60000, doc: 'health: video and audio of the same moment arriving further apart than this is `av_desync`' },
  healthDriftMs: { type: 'int', default: 1000, min: 100, max: 60000, doc: 'health: media time and the wall clock parting by more than this over 60 s is `timestamp_drift`' },
  healthHysteresisSec: { type: 'int', default: 5, min: 0, max: 3600, doc: 'health: a state must hold this long before it is announced (`stableState`, webhook stream.health.changed)' },
  workers: { type: 'string', default: '1', doc: 'worker processes sharing the RTMP/HTTP ports (a primary hands accepted connections to them round-robin): a number, or auto = one per CPU core; more than 1 needs --database-url (PostgreSQL)' },
  edgeOrigin: { type: 'string', default: '', doc: 'edge mode: a viewer asking for a stream with no publisher here gets it pulled over RTMP from this OnAir (rtmp://host:port, its internal RTMP base); needs --cluster-secret. Empty = off' },
  edgeOriginHttp: { type: 'string', default: '', doc: 'edge mode with --edge-origin: the origin\'s internal HTTP base (http://host:port), so HLS is proxied from it (--edge-hls proxy); empty = HLS is packaged here from the pull' },
  edgeHls: { type: 'enum', values: ['proxy', 'local'], default: 'proxy', doc: 'edge: HLS of a stream owned by another node: proxy = the owner\'s playlists and segments (one request per object per edge, the same names on every node, so a round-robin load balancer works); local = packaged here from the RTMP pull (names differ per node: players need a sticky load balancer). Proxy needs the owner\'s HTTP address (--cluster registry, workers); a plain --edge-origin edge packages locally' },
  edgeHlsPackagePulls: { type: 'bool', default: false, doc: 'edge with --edge-hls proxy: also package HLS from an RTMP pull (made for RTMP/FLV viewers) although every HLS request is proxied to the owner, so no viewer reads that packager; on = if this node becomes the owner after a failover while the cluster\'s position of the owner\'s playlist is unknown (Redis unreachable), this packager\'s own playlist goes on (numbers no viewer followed: players restart either way); off (default) = no packaging CPU or memory on the edge for pulled streams' },
  edgeGraceMs: { type: 'int', default: 10000, min: 0, max: 600000, doc: 'edge: a pull stops this long after its last local viewer left (or its last HLS request)' },
  edgeStartTimeoutMs: { type: 'int', default: 10000, min: 500, max: 60000, doc: 'edge: how long a first viewer waits for a pulled stream\'s first keyframe (then: not found)' },
  metrics: { type: 'bool', default: true, doc: 'Prometheus metrics at /metrics' },
  metricsToken: { type: 'string', default: '', secret: true, doc: 'bearer token /metrics requires; empty = open (restrict it by network)' },
  cluster: { type: 'string', default: '', urlPassword: true, doc: 'Redis URL (redis://[:password@]host:port[/db]) of a multi-node cluster: node registry, stream ownership leases, events; needs --database-url (PostgreSQL). Empty = single node' },
  nodeId: { type: 'string', default: '', doc: 'this node\'s id in the cluster (letters, digits, . _ -); empty = <hostname>-<pid>' },
  clusterAdvertiseRtmp: { type: 'string', default: '', doc: 'internal RTMP base URL other nodes pull this node\'s streams from (e.g. rtmp://10.0.0.2:1935); empty = rtmp://<first non-loopback IPv4, or --host>:<rtmp port>' },
  clusterAdvertiseHttp: { type: 'string', default: '', doc: 'internal HTTP base URL of this node for the other nodes (e.g. http://10.0.0.2:8080); empty = http://<same address>:<http port>' },
  clusterSecret: { type: 'string', default: '', secret: true, doc: 'secret shared by every node of a cluster (and edge): signs and verifies internal pulls between nodes (HMAC token with expiry in the play URL); needed with --cluster and --edge-origin; empty = this server neither pulls nor serves pulls' },
  clusterLeaseMs: { type: 'int', default: 10000, min: 300, max: 600000, doc: 'cluster: lifetime of a node\'s heartbeat and of its stream leases, renewed every third of it; a node silent this long loses its streams to the next publish elsewhere' },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

type ValueOf<S> = S extends { type: 'int' } ? number
  : S extends { type: 'bool' } ? boolean
  : S extends { type: 'enum'; values: readonly (infer V)[] } ? V
  : string;

export type Config = { readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };

export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function envName(key: string): string {
  return `ONAIR_${flagName(key).replace(/-/g, '_').toUpperCase()}`;
}
