import type { Logger } from '../../core/logger.js';
import { redactName } from '../../core/logger.js';
import type { StreamRecord } from '../streams/stream-types.js';
import { RENDITION_NAME, renditionPathOf, streamPathOf } from '../streams/stream-types.js';
import { INGEST_APP } from '../streams/stream-urls.js';
import type { PlayAuthorizer, PlayAuthRequest, PlayDecision } from './auth-types.js';
import { canonicalizeName } from './stream-name.js';
import { verifyPlaybackToken } from './playback-token.js';

export interface PlayAuthorizerDeps {
  readonly streams: { getByPlaybackId(playbackId: string): Promise<StreamRecord | null> };
  readonly playbackSecret: string;
  /**
   * `open` and `callback` publish modes: streams published under a name (the open name, or the name the callback
   * returned) play by that name, `live/<name>`, when it is no API stream's playback id.
   */
  readonly namedStreams: boolean;
  readonly logger: Logger;
  readonly nowSec?: () => number;
}

/**
 * Players address a stream only by playback id (`live/<playbackId>`), so a stream key is never a playable
 * name: it matches no playback id and is `not_found`. Signed streams need `token=` in the query.
 */
export class ConfiguredPlayAuthorizer implements PlayAuthorizer {
  private readonly log: Logger;
  private readonly nowSec: () => number;

  constructor(private readonly deps: PlayAuthorizerDeps) {
    this.log = deps.logger.child({ module: 'play-auth' });
    this.nowSec = deps.nowSec ?? (() => Math.floor(Date.now() / 1000));
  }

  async authorizePlay(req: PlayAuthRequest): Promise<PlayDecision> {
    const decision = await this.decide(req);
    if (!decision.ok) {
      this.log.debug({ clientIp: req.clientIp, protocol: req.protocol, name: redactName(req.name), code: decision.code, reason: decision.reason }, 'play refused');
    }
    return decision;
  }

  private async decide(req: PlayAuthRequest): Promise<PlayDecision> {
    const canon = canonicalizeName(req.app, req.name, req.query);
    if (!canon.ok) return { ok: false, code: 'bad_name', reason: canon.reason };
    // live/<playbackId>, or a transcoded rendition of it: live/<playbackId>/<rendition> (same policy as the source).
    const rendition = canon.segments.length === 3 && RENDITION_NAME.test(canon.segments[2]!) ? canon.segments[2] : undefined;
    const isApiShape = (canon.segments.length === 2 || rendition !== undefined) && canon.segments[0] === INGEST_APP;
    const stream = isApiShape ? await this.deps.streams.getByPlaybackId(canon.segments[1]!) : null;
    if (!stream) {
      if (this.deps.namedStreams && canon.segments.length >= 2) return { ok: true, streamPath: canon.path };
      return { ok: false, code: 'not_found', reason: 'no stream with this playback id' };
    }
    if (stream.settings.playbackPolicy === 'signed') {
      const token = new URLSearchParams(canon.query).get('token') ?? '';
      const check = verifyPlaybackToken(this.deps.playbackSecret, token, stream.playbackId, this.nowSec());
      if (!check.ok) return { ok: false, code: 'unauthorized', reason: check.reason };
    }
    const sourcePath = streamPathOf(stream.playbackId);
    return { ok: true, streamPath: rendition ? renditionPathOf(sourcePath, rendition) : sourcePath, streamId: stream.id };
  }
}
