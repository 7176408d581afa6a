import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import type { Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { StreamService } from '../../src/services/streams/stream-service.js';
import { StreamLifecycle } from '../../src/services/streams/stream-lifecycle.js';
import { StreamUrls } from '../../src/services/streams/stream-urls.js';
import { PlaybackDirectory } from '../../src/services/streams/playback-directory.js';
import { PlaybackDirectorySync } from '../../src/services/streams/playback-directory-sync.js';
import { WebhookDispatcher, type WebhookDispatcherOptions } from '../../src/services/webhooks/webhook-dispatcher.js';
import { WebhookService } from '../../src/services/webhooks/webhook-service.js';
import { WebhookTargetPolicy } from '../../src/services/webhooks/target-policy.js';
import { AdminTokenAuthenticator } from '../../src/services/auth/admin-token.js';
import { getOrCreateServerSecret } from '../../src/services/auth/server-secrets.js';
import { ConfiguredPublishAuthorizer } from '../../src/services/auth/publish-authorizer.js';
import { ConfiguredPlayAuthorizer } from '../../src/services/auth/play-authorizer.js';
import { FailureRateLimiter } from '../../src/services/auth/failure-rate-limiter.js';
import { createHttpApp } from '../../src/servers/http/create-http-app.js';
import { openTemplateDatabase } from '../../support/embedded-db-template.js';

/** Creates a fresh database on a PostgreSQL server so each harness starts empty; returns its URL. */
export async function freshPostgresDatabase(serverUrl: string): Promise<string> {
  const name = `onair_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface ApiHarness {
  readonly baseUrl: string;
  readonly token: string;
  readonly config: Config;
  readonly db: Database;
  readonly app: FastifyInstance;
  readonly streams: StreamService;
  readonly lifecycle: StreamLifecycle;
  readonly webhooks: WebhookService;
  readonly dispatcher: WebhookDispatcher;
  readonly publishAuth: ConfiguredPublishAuthorizer;
  readonly playAuth: ConfiguredPlayAuthorizer;
  readonly playbackSecret: string;
  readonly kicked: { streamPath: string; reason: string }[];
  /** Every log line written (JSON text), for "the key never appears in a log line". */
  readonly logs: string[];
  readonly logger: Logger;
  // Contract tests read arbitrary response shapes; the schemas under test, not this type, define them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; json: any; text: string }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** A PostgreSQL server URL (a fresh database is created on it); absent = a copy of the migrated embedded-database template. */
  readonly postgresUrl?: string;
  readonly config?: Partial<Config>;
  readonly dispatcher?: WebhookDispatcherOptions;
  readonly apiAuthLimiter?: FailureRateLimiter;
  /** Reuse a database (restart tests); not closed by `close()`. */
  readonly db?: Database;
  /** Stream answers carry the SRT URLs of `config.srtPort`, as a server with SRT on does; absent = SRT off. */
  readonly srt?: boolean;
}

/** The same wiring main.ts does, on an ephemeral port, with logs captured. */
export async function startApiHarness(opts: HarnessOptions = {}): Promise<ApiHarness> {
  const config: Config = { ...loadConfig({ argv: [], env: {} }), apiToken: 'test-admin-token', ...opts.config };
  const logs: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void logs.push(line) });
  const db = opts.db ?? (opts.postgresUrl ? await openDatabase({ databaseUrl: await freshPostgresDatabase(opts.postgresUrl), dataDir: '' }) : await openTemplateDatabase());
  const kicked: { streamPath: string; reason: string }[] = [];
  const directory = new PlaybackDirectory(logger);
  const directorySync = new PlaybackDirectorySync(db, directory, logger, { reloadIntervalMs: Infinity });
  await directorySync.start();
  const targets = new WebhookTargetPolicy(config.webhookAllowNetworks);
  const dispatcher = new WebhookDispatcher({ db, logger, options: opts.dispatcher, targets });
  const streams = new StreamService({
    db, logger, events: dispatcher, defaultReconnectWindowSec: config.reconnectWindowSec, defaultLatencyMode: config.latencyMode,
    kickPublisher: (streamPath, reason) => (kicked.push({ streamPath, reason }), true), directory,
  });
  const lifecycle = new StreamLifecycle({ db, logger, events: dispatcher });
  const webhooks = new WebhookService({ db, dispatcher, targets });
  const { auth: adminAuth } = await AdminTokenAuthenticator.init(db, config.apiToken);
  const playbackSecret = config.playbackSecret || await getOrCreateServerSecret(db, 'playback_secret');
  const publishAuth = new ConfiguredPublishAuthorizer({
    mode: config.auth, streams, logger, publishSecret: config.publishSecret,
    callbackUrl: config.authCallbackUrl, callbackTimeoutMs: config.authCallbackTimeoutMs, callbackKeepName: config.authCallbackKeepName,
  });
  const playAuth = new ConfiguredPlayAuthorizer({ directory, playbackSecret, namedStreams: config.auth === 'open' || config.auth === 'callback', logger });
  const urls = new StreamUrls({
    publicUrl: config.publicUrl,
    hls: config.hls,
    ports: () => ({ rtmp: config.rtmpPort, rtmps: config.tlsCert ? config.rtmpsPort : null, http: config.httpPort, srt: opts.srt ? config.srtPort : null }),
  });
  const app = createHttpApp({ config, logger, streams, webhooks, adminAuth, urls, playbackSecret, apiAuthLimiter: opts.apiAuthLimiter });
  await app.listen({ port: 0, host: '127.0.0.1' });
  dispatcher.start();
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const token = config.apiToken;
  return {
    baseUrl, token, config, db, app, streams, lifecycle, webhooks, dispatcher, publishAuth, playAuth, playbackSecret, kicked, logs, logger,
    async api(method, path, body, tok = token) {
      const headers: Record<string, string> = {};
      if (tok !== null) headers.authorization = `Bearer ${tok}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      return { status: res.status, json, text };
    },
    async close() {
      await app.close();
      await dispatcher.close();
      lifecycle.close();
      await directorySync.close();
      if (!opts.db) await db.close();
    },
  };
}
