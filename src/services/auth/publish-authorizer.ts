import type { Logger } from '../../core/logger.js';
import { redactName } from '../../core/logger.js';
import { OnAirError, isOnAirError } from '../../core/errors.js';
import type { StreamRecord } from '../streams/stream-types.js';
import { streamPathOf } from '../streams/stream-types.js';
import { INGEST_APP } from '../streams/stream-urls.js';
import type { PublishAuthorizer, PublishAuthRequest, PublishDecision } from './auth-types.js';
import { canonicalizeName } from './stream-name.js';
import { FailureRateLimiter } from './failure-rate-limiter.js';
import { verifyPublishQuery } from './signed-publish-url.js';
import { askPublishCallback } from './publish-callback.js';
import { callbackStreamPath } from './callback-stream-path.js';

export type PublishAuthMode = 'keys' | 'signed' | 'callback' | 'open';

export interface PublishAuthorizerDeps {
  readonly mode: PublishAuthMode;
  /** Timing-safe key lookup (StreamService.findByKey); playback ids, which no other publish may take. */
  readonly streams: { findByKey(key: string): Promise<StreamRecord | null>; getByPlaybackId(playbackId: string): Promise<StreamRecord | null> };
  readonly logger: Logger;
  /** Required for `signed`. */
  readonly publishSecret?: string;
  /** Required for `callback`. */
  readonly callbackUrl?: string;
  readonly callbackTimeoutMs?: number;
  /** `callback`: an answer that names no stream publishes under the publish name (the operator's choice). */
  readonly callbackKeepName?: boolean;
  readonly limiter?: FailureRateLimiter;
  /** Wall clock in unix seconds (signed URL expiry). */
  readonly nowSec?: () => number;
}

type Refusal = Extract<PublishDecision, { ok: false }>;

/**
 * Decides every publish: canonical name first (so the decision and the hub path are about one stream),
 * then the configured mode. Failures count against the client IP; an IP over its limit is refused before
 * its credentials are looked at. Logs never carry the name in clear (it may be a key).
 */
export class ConfiguredPublishAuthorizer implements PublishAuthorizer {
  private readonly log: Logger;
  private readonly limiter: FailureRateLimiter;
  private readonly nowSec: () => number;

  constructor(private readonly deps: PublishAuthorizerDeps) {
    if (deps.mode === 'signed' && !deps.publishSecret) {
      throw new OnAirError('ONAIR_ERR_CONFIG', '--auth signed needs --publish-secret');
    }
    if (deps.mode === 'callback' && !deps.callbackUrl) {
      throw new OnAirError('ONAIR_ERR_CONFIG', '--auth callback needs --auth-callback-url');
    }
    this.log = deps.logger.child({ module: 'publish-auth', mode: deps.mode });
    this.limiter = deps.limiter ?? new FailureRateLimiter();
    this.nowSec = deps.nowSec ?? (() => Math.floor(Date.now() / 1000));
  }

  async authorizePublish(req: PublishAuthRequest): Promise<PublishDecision> {
    if (this.limiter.isLimited(req.clientIp)) {
      return this.refused(req, { ok: false, code: 'rate_limited', reason: 'too many failed publish attempts' }, false);
    }
    const decision = await this.decide(req).catch((err: unknown): PublishDecision => {
      // PostgreSQL outage: a quick, clear refusal (the encoder retries) instead of a dropped connection.
      if (isOnAirError(err, 'ONAIR_ERR_UNAVAILABLE')) return { ok: false, code: 'unavailable', reason: 'database unavailable: the stream key cannot be checked now; retry' };
      throw err;
    });
    if (decision.ok) {
      this.log.info({ clientIp: req.clientIp, protocol: req.protocol, streamPath: decision.streamPath }, 'publish allowed');
      return decision;
    }
    return this.refused(req, decision, decision.code !== 'disabled' && decision.code !== 'unavailable');
  }

  private async decide(req: PublishAuthRequest): Promise<PublishDecision> {
    const canon = canonicalizeName(req.app, req.name, req.query);
    if (!canon.ok) return { ok: false, code: 'bad_name', reason: canon.reason };
    const { segments, path, query } = canon;
    if (this.deps.mode === 'open') {
      if (segments.length < 2) return { ok: false, code: 'bad_name', reason: 'expected <app>/<name>' };
      return (await this.apiPathRefusal(path)) ?? { ok: true, streamPath: path };
    }
    if (this.deps.mode === 'callback') return this.decideByCallback(req, segments, path, query);
    if (segments.length !== 2 || segments[0] !== INGEST_APP) {
      return { ok: false, code: 'bad_name', reason: `expected ${INGEST_APP}/<stream key>` };
    }
    const key = segments[1]!;
    if (this.deps.mode === 'signed') {
      const check = verifyPublishQuery(this.deps.publishSecret!, INGEST_APP, key, query, this.nowSec());
      if (!check.ok) return { ok: false, code: 'unauthorized', reason: check.reason };
    }
    return (await this.byKey(key)) ?? { ok: false, code: 'unauthorized', reason: 'unknown stream key' };
  }

  private async byKey(key: string): Promise<PublishDecision | null> {
    const stream = await this.deps.streams.findByKey(key);
    if (!stream) return null;
    if (stream.status === 'disabled') return { ok: false, code: 'disabled', reason: 'stream is disabled' };
    const { latencyMode, reconnectWindowSec, record, srtPassphrase } = stream.settings;
    return {
      ok: true, streamPath: streamPathOf(stream.playbackId), streamId: stream.id, playbackId: stream.playbackId, delivery: { latencyMode, reconnectWindowSec, record },
      ...(srtPassphrase ? { srtPassphrase } : {}),
    };
  }

  private async decideByCallback(req: PublishAuthRequest, segments: readonly string[], path: string, query: string): Promise<PublishDecision> {
    const app = segments.slice(0, -1).join('/');
    const name = segments[segments.length - 1]!;
    const res = await askPublishCallback(
      this.deps.callbackUrl!,
      { app, name, query, clientIp: req.clientIp, protocol: req.protocol },
      this.deps.callbackTimeoutMs ?? 3000,
    );
    if (!res.allowed) return { ok: false, code: 'unauthorized', reason: res.reason };
    if (res.ignored) this.log.warn({ fields: res.ignored }, 'publish callback: ignored fields with invalid values');
    // An API stream's key published under callback auth still lands on its playback id, never on the key
    // (and keeps its own settings).
    if (segments.length === 2 && segments[0] === INGEST_APP) {
      const known = await this.byKey(name);
      if (known) return known;
    }
    const chosen = callbackStreamPath(res, path, this.deps.callbackKeepName ?? false);
    if (!chosen.ok) return { ok: false, code: 'unauthorized', reason: chosen.reason };
    if (chosen.streamPath.split('/').length < 2) return { ok: false, code: 'bad_name', reason: 'expected <app>/<name>' };
    return (await this.apiPathRefusal(chosen.streamPath)) ?? { ok: true, streamPath: chosen.streamPath, ...(res.delivery ? { delivery: res.delivery } : {}) };
  }

  /** `live/<playbackId>` belongs to its API stream: only its key publishes there (open mode and callback names included). */
  private async apiPathRefusal(streamPath: string): Promise<PublishDecision | null> {
    const [app, id, ...rest] = streamPath.split('/');
    if (app !== INGEST_APP || !id || rest.length > 0 || !(await this.deps.streams.getByPlaybackId(id))) return null;
    return { ok: false, code: 'unauthorized', reason: 'that name is an API stream\'s playback id' };
  }

  private refused(req: PublishAuthRequest, decision: Refusal, countsAsFailure: boolean): Refusal {
    if (countsAsFailure) this.limiter.recordFailure(req.clientIp);
    this.log.warn(
      { clientIp: req.clientIp, protocol: req.protocol, app: appForLog(req.app, req.name), name: redactName(req.name), code: decision.code, reason: decision.reason },
      'publish refused',
    );
    return decision;
  }
}

/**
 * The app is a fixed word (`live`) and is logged as it is, except where it may carry the key: an app-less URL
 * (rtmp://host/KEY: the name is empty and the app is the key) or a key pasted into OBS's Server field
 * (`live/KEY`: every segment after the first).
 */
function appForLog(app: string, name: string): string {
  if (name === '') return redactName(app);
  const [first = '', ...rest] = app.split('/');
  return rest.length === 0 ? first : `${first}/${redactName(rest.join('/'))}`;
}
