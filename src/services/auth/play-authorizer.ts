import type { Logger } from '../../core/logger.js';
import { redactName } from '../../core/logger.js';
import type { PlaybackDirectory } from '../streams/playback-directory.js';
import { RENDITION_NAME, renditionPathOf } from '../streams/stream-types.js';
import { INGEST_APP } from '../streams/stream-urls.js';
import type { PlayAuthorizer, PlayAuthRequest, PlayDecision, PlayWatcher, RecordedPlayDecision, RecordedPlayRequest } from './auth-types.js';
import { canonicalizeName } from './stream-name.js';
import { verifyPlaybackToken, type PlaybackTokenCheck } from './playback-token.js';
import { PlaybackTokenCache } from './playback-token-cache.js';
import { PlayDecisionCache } from './play-decision-cache.js';
import { watchPlay } from './play-watch.js';

export interface PlayAuthorizerDeps {
  /** Every API stream's playback entry, in memory: no decision reads the database. */
  readonly directory: Pick<PlaybackDirectory, 'get' | 'onChange' | 'version'>;
  readonly playbackSecret: string;
  /**
   * `open` and `callback` publish modes: streams published under a name (the open name, or the name the callback
   * returned) play by that name, `live/<name>`, when it is no API stream's playback id.
   */
  readonly namedStreams: boolean;
  readonly logger: Logger;
  readonly nowSec?: () => number;
  /** The token check (tests count calls to it: a cached token is not checked again). */
  readonly verifyToken?: typeof verifyPlaybackToken;
}

/**
 * Players address a stream only by playback id (`live/<playbackId>`), so a stream key is never a playable
 * name: it matches no playback id and is `not_found`. Signed streams need `token=` in the query. Decided
 * from the in-memory PlaybackDirectory, synchronously (`decide`); a good token is verified once and then
 * remembered until its expiry or until its stream's entry changes, and an allow until any entry changes.
 */
export class ConfiguredPlayAuthorizer implements PlayAuthorizer, PlayWatcher {
  private readonly log: Logger;
  private readonly nowSec: () => number;
  private readonly verifyToken: typeof verifyPlaybackToken;
  private readonly tokens = new PlaybackTokenCache();
  private readonly decisions = new PlayDecisionCache();

  constructor(private readonly deps: PlayAuthorizerDeps) {
    this.log = deps.logger.child({ module: 'play-auth' });
    this.nowSec = deps.nowSec ?? (() => Math.floor(Date.now() / 1000));
    this.verifyToken = deps.verifyToken ?? verifyPlaybackToken;
  }

  /**
   * The decision, from memory: what every playback request asks. An allow is remembered per name and token until
   * the directory changes (PlayDecisionCache): a viewer's next requests skip the name checks and the lookups.
   */
  decide(req: PlayAuthRequest): PlayDecision {
    const key = this.decisions.keyOf(req);
    const version = this.deps.directory.version;
    if (key !== undefined) {
      const cached = this.decisions.get(key, version, this.nowSec);
      if (cached) return cached;
    }
    const decision = this.evaluate(req);
    if (decision.ok && key !== undefined) this.decisions.set(key, version, decision);
    // Refusals are the unknown-id flood's path: build the log line only when it is written.
    if (!decision.ok && this.log.isLevelEnabled('debug')) {
      this.log.debug({ clientIp: req.clientIp, protocol: req.protocol, name: redactName(req.name), code: decision.code, reason: decision.reason }, 'play refused');
    }
    return decision;
  }

  /**
   * Playing a recording, from memory like live: while its stream exists, under the stream's current entry
   * (disabled: refused; signed: a token for its playback id, cached); once the stream is deleted, under the
   * policy it had when recorded. Open mode grants nothing here: a recording always belongs to an API stream.
   */
  decideRecorded(req: RecordedPlayRequest): RecordedPlayDecision {
    const stream = req.playbackId ? this.deps.directory.get(req.playbackId) : undefined;
    if (stream?.disabled) return { ok: false, code: 'not_found', reason: 'stream is disabled' };
    const signed = stream ? stream.playbackPolicy === 'signed' : req.recordedPolicy === 'signed';
    if (!signed) return { ok: true };
    if (!req.playbackId) return { ok: false, code: 'unauthorized', reason: 'the recorded stream had no playback id' };
    const token = new URLSearchParams(req.query).get('token') ?? '';
    const check = this.checkToken(token, req.playbackId, stream ?? req.asset);
    if (!check.ok) return { ok: false, code: 'unauthorized', reason: check.reason };
    return { ok: true, expiresAtSec: check.expSec };
  }

  async authorizePlay(req: PlayAuthRequest): Promise<PlayDecision> {
    return this.decide(req);
  }

  watchPlay(req: PlayAuthRequest, onRevoke: (reason: string) => void): () => void {
    return watchPlay({ decide: (r) => this.decide(r), onChange: (id, fn) => this.deps.directory.onChange(id, fn), log: this.log }, req, onRevoke);
  }

  private evaluate(req: PlayAuthRequest): PlayDecision {
    const canon = canonicalizeName(req.app, req.name, req.query);
    if (!canon.ok) return { ok: false, code: 'bad_name', reason: canon.reason };
    // live/<playbackId>, or a transcoded rendition of it: live/<playbackId>/<rendition> (same policy as the source).
    const rendition = canon.segments.length === 3 && RENDITION_NAME.test(canon.segments[2]!) ? canon.segments[2] : undefined;
    const isApiShape = (canon.segments.length === 2 || rendition !== undefined) && canon.segments[0] === INGEST_APP;
    const stream = isApiShape ? this.deps.directory.get(canon.segments[1]!) : undefined;
    if (!stream) {
      if (this.deps.namedStreams && canon.segments.length >= 2) return { ok: true, streamPath: canon.path };
      return { ok: false, code: 'not_found', reason: 'no stream with this playback id' };
    }
    if (stream.disabled) return { ok: false, code: 'not_found', reason: 'stream is disabled' };
    let expiresAtSec: number | undefined;
    if (stream.playbackPolicy === 'signed') {
      const check = this.checkToken(new URLSearchParams(canon.query).get('token') ?? '', stream.playbackId, stream);
      if (!check.ok) return { ok: false, code: 'unauthorized', reason: check.reason };
      expiresAtSec = check.expSec;
    }
    const sourcePath = stream.streamPath;
    return {
      ok: true, streamPath: rendition ? renditionPathOf(sourcePath, rendition) : sourcePath, streamId: stream.streamId, playbackId: stream.playbackId,
      ...(expiresAtSec === undefined ? {} : { expiresAtSec }),
    };
  }

  /** `against`: the directory entry (or recorded asset) the token is checked for; a new object is a cache miss. */
  private checkToken(token: string, playbackId: string, against: object): PlaybackTokenCheck {
    const now = this.nowSec();
    const cachedExp = this.tokens.get(token, playbackId, against, now);
    if (cachedExp !== undefined) return { ok: true, expSec: cachedExp };
    const check = this.verifyToken(this.deps.playbackSecret, token, playbackId, now);
    if (check.ok) this.tokens.set(token, playbackId, against, check.expSec);
    return check;
  }
}
