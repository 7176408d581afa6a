import type { Logger } from '../../core/logger.js';
import { redactName } from '../../core/logger.js';
import { OnAirError } from '../../core/errors.js';
import type { StreamRecord } from '../streams/stream-types.js';
import { streamPathOf } from '../streams/stream-types.js';
import { INGEST_APP } from '../streams/stream-urls.js';
import type { PublishAuthorizer, PublishAuthRequest, PublishDecision } from './auth-types.js';
import { canonicalizeName } from './stream-name.js';
import { FailureRateLimiter } from './failure-rate-limiter.js';
import { verifyPublishQuery } from './signed-publish-url.js';
import { askPublishCallback } from './publish-callback.js';

export type PublishAuthMode = 'keys' | 'signed' | 'callback' | 'open';

export interface PublishAuthorizerDeps {
  readonly mode: PublishAuthMode;
  /** Timing-safe key lookup (StreamService.findByKey). */
  readonly streams: { findByKey(key: string): Promise<StreamRecord | null> };
  readonly logger: Logger;
  /** Required for `signed`. */
  readonly publishSecret?: string;
  /** Required for `callback`. */
  readonly callbackUrl?: string;
  readonly callbackTimeoutMs?: number;
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
    const decision = await this.decide(req);
    if (decision.ok) {
      this.log.info({ clientIp: req.clientIp, protocol: req.protocol, streamPath: decision.streamPath }, 'publish allowed');
      return decision;
    }
    return this.refused(req, decision, decision.code !== 'disabled');
  }

  private async decide(req: PublishAuthRequest): Promise<PublishDecision> {
    const canon = canonicalizeName(req.app, req.name, req.query);
    if (!canon.ok) return { ok: false, code: 'bad_name', reason: canon.reason };
    const { segments, path, query } = canon;
    if (this.deps.mode === 'open') {
      if (segments.length < 2) return { ok: false, code: 'bad_name', reason: 'expected <app>/<name>' };
      return { ok: true, streamPath: path };
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
    const { latencyMode, reconnectWindowSec, record } = stream.settings;
    return { ok: true, streamPath: streamPathOf(stream.playbackId), streamId: stream.id, playbackId: stream.playbackId, delivery: { latencyMode, reconnectWindowSec, record } };
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
    const delivery = res.delivery ? { delivery: res.delivery } : {};
    if (res.name !== undefined) {
      const named = canonicalizeName(app || INGEST_APP, res.name);
      if (!named.ok || named.segments.length < 2) return { ok: false, code: 'bad_name', reason: `callback name: ${named.ok ? 'expected a name' : named.reason}` };
      return { ok: true, streamPath: named.path, ...delivery };
    }
    if (segments.length < 2) return { ok: false, code: 'bad_name', reason: 'expected <app>/<name>' };
    return { ok: true, streamPath: path, ...delivery };
  }

  private refused(req: PublishAuthRequest, decision: Refusal, countsAsFailure: boolean): Refusal {
    if (countsAsFailure) this.limiter.recordFailure(req.clientIp);
    this.log.warn(
      { clientIp: req.clientIp, protocol: req.protocol, app: redactName(req.app), name: redactName(req.name), code: decision.code, reason: decision.reason },
      'publish refused',
    );
    return decision;
  }
}
