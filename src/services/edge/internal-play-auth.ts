import type { Logger } from '../../core/logger.js';
import type { PlayAuthorizer, PlayAuthRequest, PlayDecision, PlayWatcher } from '../auth/auth-types.js';
import { EDGE_TOKEN_PARAM, verifyEdgeToken } from './edge-token.js';

/**
 * The owner's side of internal pulls: an RTMP play whose query carries `onair_edge=<token>` is another node (or
 * worker) pulling the stream for its own viewers, who were authorised there. A valid token for exactly the played
 * path bypasses viewer auth and policy; an invalid or expired one is refused (never falls back to viewer auth, so
 * a guessed token cannot turn into a public play). Everything else goes to the viewer authoriser unchanged.
 */
export function withInternalPulls<A extends PlayAuthorizer & PlayWatcher>(auth: A, secret: string, log: Logger): PlayAuthorizer & PlayWatcher {
  const tokenOf = (req: PlayAuthRequest): string | undefined => {
    if (!req.query.includes(EDGE_TOKEN_PARAM)) return undefined;
    return new URLSearchParams(req.query).get(EDGE_TOKEN_PARAM) ?? undefined;
  };
  return {
    async authorizePlay(req: PlayAuthRequest): Promise<PlayDecision> {
      const token = tokenOf(req);
      if (token === undefined) return auth.authorizePlay(req);
      const path = `${req.app}/${req.name}`;
      const check = req.protocol === 'rtmp' || req.protocol === 'rtmps' ? verifyEdgeToken(secret, path, token) : { ok: false as const, reason: 'not_rtmp' };
      if (check.ok) return { ok: true, streamPath: path, internalPull: true };
      // The reason, never the token.
      log.warn({ path, ip: req.clientIp, reason: check.reason }, 'internal pull refused');
      return { ok: false, code: 'unauthorized', reason: 'internal pull token refused' };
    },
    // A verified internal pull lives as long as its stream: the edge applies each viewer's own watch.
    watchPlay: (req, onRevoke) => (tokenOf(req) !== undefined ? () => {} : auth.watchPlay(req, onRevoke)),
  };
}
