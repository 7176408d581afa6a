import type { HlsAudience } from '../../../services/health/index.js';
import type { OnAirMetrics } from '../../../services/metrics/index.js';
import type { HlsResponseObserver, HlsServed } from '../playback/hls/hls-observer-hook.js';

/** HlsAudience.record reads the client only for a playlist. */
const NO_CLIENT = Object.freeze({ ip: '', userAgent: undefined });

/**
 * Every HLS answer goes into the latency histogram and its bytes into the HLS byte counter; a media playlist
 * served is a sign of life of an HLS session (HlsAudience). The HLS front handler calls it once per answer it
 * writes (register-hls.ts): nothing runs for the server's other requests, and no listener or closure is added
 * per response. The client address is the socket's (behind a proxy, the proxy's: sessions are also told apart
 * by user agent). Under --workers a viewer is recorded by the worker their request reached, never by the sibling it
 * asked for the answer (HlsServed.viewer). Undefined when neither metrics nor health are on.
 */
export function hlsObserver(metrics: OnAirMetrics | undefined, audience: HlsAudience | undefined): HlsResponseObserver | undefined {
  if (!metrics && !audience) return undefined;
  return {
    served(s: HlsServed): void {
      // The histogram is the worker's that made the answer (a relayed one is the owner's). The HLS bytes are counted
      // where the viewer's request arrived, once: not for a sibling worker's request (for its copy, or forwarded), whose
      // viewer's bytes that sibling counts, so the workers' counters add up to the machine's (worker-aggregate.ts).
      if (!s.relayed) metrics?.observeHlsRequest({ kind: s.kind, status: s.status, seconds: (s.nowMs - s.startedMs) / 1000, bytes: s.viewer ? s.bytes : 0 });
      else if (s.viewer) metrics?.countHlsBytes(s.bytes);
      // A sibling worker's request is not a viewer: its viewer is recorded where they arrived.
      if (audience && s.viewer && s.streamPath && s.status === 200) {
        const playlist = s.kind === 'playlist' || s.kind === 'playlist_blocking';
        // Only a media playlist makes a session; media answers add bytes and need no client (no address lookup).
        const client = playlist ? { ip: s.req.socket.remoteAddress ?? '', userAgent: s.req.headers['user-agent'] } : NO_CLIENT;
        audience.record(s.streamPath, client, s.bytes, playlist, s.nowMs, s.targetDuration);
      }
    },
  };
}
