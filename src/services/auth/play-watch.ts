import type { Logger } from '../../core/logger.js';
import type { PlayAuthRequest, PlayDecision } from './auth-types.js';
import { MAX_TIMER_MS } from './limits.js';

export interface PlayWatchDeps {
  /** Decides from memory (ConfiguredPlayAuthorizer.decide). */
  decide(req: PlayAuthRequest): PlayDecision;
  /** PlaybackDirectory.onChange. */
  onChange(playbackId: string, fn: () => void): () => void;
  readonly log: Logger;
  readonly nowMs?: () => number;
}

/**
 * Keeps a connected viewer only while a new decision for its original request (its token included) would
 * still let it play: decided again when its stream's directory entry changes (disabled, deleted, policy
 * switched to signed, key reset: synchronously for a change made in this process, on the NOTIFY for one made
 * by another instance) and when its token expires (one timer per viewer, at `exp`). The first check runs
 * in a microtask, so a change between the caller's own decision and this call is not missed.
 * Costs per viewer: one listener and at most one timer, both gone when the returned function is called.
 */
export function watchPlay(deps: PlayWatchDeps, req: PlayAuthRequest, onRevoke: (reason: string) => void): () => void {
  const nowMs = deps.nowMs ?? Date.now;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let watchedId: string | undefined;

  const stop = (): void => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe?.();
  };
  const check = (): void => {
    if (stopped) return;
    const decision = deps.decide(req);
    if (!decision.ok) {
      stop();
      deps.log.info({ playbackId: watchedId, protocol: req.protocol, clientIp: req.clientIp, code: decision.code, reason: decision.reason }, 'play no longer authorised: closing the viewer');
      onRevoke(`play no longer authorised: ${decision.reason}`);
      return;
    }
    if (decision.playbackId !== watchedId) {
      unsubscribe?.();
      watchedId = decision.playbackId;
      unsubscribe = watchedId === undefined ? undefined : deps.onChange(watchedId, check);
    }
    clearTimeout(timer);
    timer = undefined;
    if (decision.expiresAtSec !== undefined) {
      // At exp the same check refuses ('token expired'); a far expiry is waited for in steps.
      timer = setTimeout(check, Math.min(MAX_TIMER_MS, Math.max(0, decision.expiresAtSec * 1000 - nowMs())));
      timer.unref();
    }
  };
  queueMicrotask(check);
  return stop;
}
