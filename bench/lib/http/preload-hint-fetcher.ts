import { KeepAliveConnection } from './keep-alive-connection.js';
import type { ListedPart, ScannedPlaylist } from './playlist-scan.js';
import type { ViewerEnv } from './viewer.js';
import type { ViewerCounters } from './viewer-counters.js';

/** Hinted parts remembered as fetched, to skip them when a playlist lists them: a few parts' worth. */
const RECENT_HINTS = 4;

/**
 * Safari-like preload hints for an LL-HLS viewer: a second keep-alive connection requests each new
 * EXT-X-PRELOAD-HINT part as soon as a playlist names it; the server holds the request until the part is complete
 * (rfc8216bis §6.2.6). Parts fetched this way are not fetched again when listed; a hinted part whose request failed
 * is handed back to the viewer's own queue. Failed hint requests are counted as `hint <status>` errors (a hint
 * that names a part the server does not hold for, answered 404 at once, shows there).
 */
export class PreloadHintFetcher {
  private readonly conn: KeepAliveConnection;
  private lastRequested: string | undefined;
  private inFlight: string | undefined;
  /** The listed part the viewer skipped because its hint request was in flight. */
  private awaited: ListedPart | undefined;
  private readonly recent: { path: string; bytes: number }[] = [];

  constructor(private readonly env: ViewerEnv, private readonly counters: ViewerCounters, private readonly requeue: (part: ListedPart) => void) {
    this.conn = new KeepAliveConnection(env.target, counters);
  }

  afterPlaylist(playlist: ScannedPlaylist): void {
    const hint = playlist.preloadHintPath;
    if (!hint || hint === this.lastRequested || this.conn.busy) return;
    this.lastRequested = hint;
    this.inFlight = hint;
    this.conn.get(hint, 'media', this.onHint);
  }

  /** The viewer need not fetch `part`: its hint request is in flight or has brought it. */
  covers(part: ListedPart): boolean {
    if (part.path === this.inFlight) {
      this.awaited = part;
      return true;
    }
    const fetched = this.recent.find((r) => r.path === part.path);
    if (fetched) this.env.objects.received(part.object, fetched.bytes);
    return fetched !== undefined;
  }

  close(): void {
    this.conn.close();
  }

  private readonly onHint = (status: number, bytes: number): void => {
    const path = this.inFlight!;
    this.inFlight = undefined;
    const awaited = this.awaited?.path === path ? this.awaited : undefined;
    this.awaited = undefined;
    if (status !== 200) {
      this.counters.error('hint', status);
      if (awaited) this.requeue(awaited);
      return;
    }
    if (awaited) this.env.objects.received(awaited.object, bytes);
    this.recent.push({ path, bytes });
    if (this.recent.length > RECENT_HINTS) this.recent.shift();
  };
}
