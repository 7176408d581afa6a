import { setNewest } from '../../../../core/bounded-map.js';
import { sessionId } from '../../../../services/health/index.js';
import type { HlsRequest } from './hls-request.js';
import type { HlsExchange } from './hls-responses.js';
import { MAX_PLAIN_CLIENTS, PLAIN_CLIENT_MEMORY_MS } from './limits.js';

/**
 * One stream's clients (sessionId: address + user agent) that asked its media playlist without directives, and when:
 * who is a new viewer, whose first playlist may be held for a keyframe start. Kept where the viewer's request arrives
 * (HlsServing for a stream packaged here, EdgeHlsProxy for a copy of another worker's or node's answers).
 */
export class PlainClients {
  private readonly seen = new Map<number, number>();

  /** Records the client's plain playlist request; true when it made none within PLAIN_CLIENT_MEMORY_MS. */
  isNew(req: HlsRequest): boolean {
    const { seen } = this;
    const id = sessionId(req.socket.remoteAddress ?? '', req.headers['user-agent']);
    const now = performance.now();
    const last = seen.get(id);
    setNewest(seen, id, now, MAX_PLAIN_CLIENTS);
    // Oldest first (setNewest re-inserts): forget who asked longer ago than the memory lasts, so a stream's map holds
    // only recent clients instead of up to MAX_PLAIN_CLIENTS for its whole life.
    for (const [oldId, at] of seen) {
      if (now - at <= PLAIN_CLIENT_MEMORY_MS) break;
      seen.delete(oldId);
    }
    return last === undefined || now - last > PLAIN_CLIENT_MEMORY_MS;
  }
}

/**
 * A request that may be a new viewer's first LL-HLS media playlist, by its shape: a GET (not HEAD) of an fMP4 media
 * playlist without `_HLS_msn` (a blocking reload, and an hls.js level switch from the rendition reports, carry one).
 * The one rule for HlsServing (held here) and EdgeHlsProxy (marked for the owner); PlainClients says whether the
 * client is new.
 */
export function mayBeFirstPlaylist(ex: Pick<HlsExchange, 'head'>, format: 'fmp4' | 'ts', msnGiven: boolean): boolean {
  return !ex.head && format === 'fmp4' && !msnGiven;
}
