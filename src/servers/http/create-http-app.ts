import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../core/logger.js';
import type { StreamService } from '../../services/streams/stream-service.js';
import type { StreamUrls } from '../../services/streams/stream-urls.js';
import type { WebhookService } from '../../services/webhooks/webhook-service.js';
import type { TargetService } from '../../services/repush/index.js';
import type { TranscodeStatus } from '../../services/transcode/types.js';
import type { AdminTokenAuthenticator } from '../../services/auth/admin-token.js';
import { FailureRateLimiter } from '../../services/auth/failure-rate-limiter.js';
import { installErrorHandlers } from './error-handler.js';
import { typeboxValidatorCompiler } from './api/typebox-validator.js';
import { adminAuthHook } from './api/admin-auth.js';
import { streamsRoutes } from './api/routes/streams-routes.js';
import { webhooksRoutes } from './api/routes/webhooks-routes.js';
import { targetsRoutes } from './api/routes/targets-routes.js';
import { healthRoutes, type HealthRoutesDeps } from './api/health-routes.js';
import type { HealthMonitor } from '../../services/health/index.js';
import { API_BODY_LIMIT_BYTES, MAX_PARAM_LENGTH } from './limits.js';
import { answerClientError, answerFrameworkError } from './framework-errors.js';
import { ApiError } from './api-errors.js';
import { trustProxyOption } from './trust-proxy.js';
import { registerFavicon } from './playback/watch/favicon.js';

export interface HttpAppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly streams: StreamService;
  readonly webhooks: WebhookService;
  /** Re-push targets of streams; absent = no /targets routes. */
  readonly targets?: TargetService;
  readonly adminAuth: AdminTokenAuthenticator;
  readonly urls: StreamUrls;
  /** HMAC secret of playback tokens (config.playbackSecret or the stored generated one). */
  readonly playbackSecret: string;
  /** The live transcode status of a stream path, shown as the stream resource's `transcode` field. */
  readonly transcodeStatus?: (streamPath: string) => TranscodeStatus | undefined;
  /** Streams routes: a publisher live here while the database's view may lag (writes queued). */
  readonly liveHere?: (streamPath: string) => boolean;
  /** Ingest health (absent with --health off: health routes answer offline). */
  readonly healthMonitor?: HealthMonitor;
  /** Workers: a stream's health is asked of the worker owning it (HealthRoutesDeps.ownerWorker). */
  readonly healthOwnerWorker?: (path: string) => Promise<string | undefined>;
  /** Workers: `/api/v1/health` lists every worker's streams (HealthRoutesDeps.machineList). */
  readonly healthMachineList?: HealthRoutesDeps['machineList'];
  /** --cluster: a stream's health is asked of the node owning it (HealthRoutesDeps.ownerNode). */
  readonly healthOwnerNode?: HealthRoutesDeps['ownerNode'];
  /** --cluster: `/api/v1/health` lists every node's streams (HealthRoutesDeps.clusterList). */
  readonly healthClusterList?: HealthRoutesDeps['clusterList'];
  /** Failed-bearer-token limiter; injectable so tests can use a small window. */
  readonly apiAuthLimiter?: FailureRateLimiter;
  /** More `/api/v1` resources (bearer auth, e.g. assets), registered after streams and webhooks. */
  readonly apiPlugins?: readonly FastifyPluginAsync[];
  /** Registered at the root after the API (HLS, HTTP-FLV, dashboard); they get no bearer auth. */
  readonly extraPlugins?: readonly FastifyPluginAsync[];
}

/**
 * The HTTP app: `/healthz`, the bearer-protected `/api/v1`, its OpenAPI document at `/api/openapi.json`
 * and Swagger UI at `/api/docs`. Not listening: the caller does `await app.listen(...)`.
 */
export function createHttpApp(deps: HttpAppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger.child({ module: 'http' }) as FastifyBaseLogger,
    // Fastify's request log prints URLs, and playback URLs carry tokens: log our own line, path only.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: API_BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(deps.config.trustProxy),
    ajv: { customOptions: { removeAdditional: false } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // What the router and Node's parser refuse leaves in the same error shape as everything else.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  app.setValidatorCompiler(typeboxValidatorCompiler);
  installErrorHandlers(app);
  installJsonParser(app);
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, path: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'OnAir API', version: '1', description: 'Self-hosted live streaming: streams, playback tokens, webhooks.' },
      servers: deps.config.publicUrl ? [{ url: deps.config.publicUrl }] : [],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      tags: [{ name: 'streams' }, { name: 'targets' }, { name: 'webhooks' }, { name: 'assets' }, { name: 'health' }],
    },
  });
  app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', {
    schema: { tags: ['health'], summary: 'Liveness (no auth)', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  const limiter = deps.apiAuthLimiter ?? new FailureRateLimiter();
  app.register(async (api) => {
    api.addHook('onRequest', adminAuthHook(deps.adminAuth, limiter));
    await api.register(streamsRoutes({
      streams: deps.streams, urls: deps.urls, playbackSecret: deps.playbackSecret,
      ...(deps.transcodeStatus ? { transcodeStatus: deps.transcodeStatus } : {}),
      ...(deps.liveHere ? { liveHere: deps.liveHere } : {}),
    }));
    await api.register(webhooksRoutes(deps.webhooks));
    if (deps.targets) await api.register(targetsRoutes(deps.targets));
    for (const plugin of deps.apiPlugins ?? []) await api.register(plugin);
    await api.register(healthRoutes({
      streams: deps.streams, monitor: deps.healthMonitor, ...(deps.healthOwnerWorker ? { ownerWorker: deps.healthOwnerWorker } : {}),
      ...(deps.healthMachineList ? { machineList: deps.healthMachineList } : {}),
      ...(deps.healthOwnerNode ? { ownerNode: deps.healthOwnerNode } : {}),
      ...(deps.healthClusterList ? { clusterList: deps.healthClusterList } : {}),
    }));
    // Unknown /api/v1 paths also need the token first, so probing the route table costs a valid token.
    api.setNotFoundHandler(async (req) => {
      throw new ApiError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`);
    });
  }, { prefix: '/api/v1' });

  registerFavicon(app);
  for (const plugin of deps.extraPlugins ?? []) app.register(plugin);
  return app;
}

/**
 * The only body type: JSON, where an empty body means "no body" (a POST to reset-key with a JSON content type and
 * nothing else is common in clients), and a parse failure is `invalid_json`.
 */
function installJsonParser(app: FastifyInstance): void {
  // Only JSON: without the built-in text/plain parser a plain-text body is a 415, not a confusing 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = Object.assign(new Error('request body is not valid JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      done(err, undefined);
    }
  });
}
