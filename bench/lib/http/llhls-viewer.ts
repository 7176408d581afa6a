import { performance } from 'node:perf_hooks';
import { KeepAliveConnection } from './keep-alive-connection.js';
import { RETRY_DELAY_MS } from './limits.js';
import type { ListedPart, ScannedPlaylist } from './playlist-scan.js';
import { PreloadHintFetcher } from './preload-hint-fetcher.js';
import type { Viewer, ViewerEnv } from './viewer.js';
import { ViewerCounters } from './viewer-counters.js';

export interface LlHlsViewerOptions {
  /** Ask for delta updates (`_HLS_skip=YES`) when the server offers them, as hls.js does. */
  readonly skip: boolean;
  /** Also request each preload-hinted part on a second connection, held open by the server until the part is complete (Safari). */
  readonly preloadHints: boolean;
}

/**
 * An LL-HLS viewer like hls.js in low-latency mode, on one keep-alive connection: a plain playlist load, the init
 * segment and the newest part, then forever: a blocking playlist reload for the part after the playlist's last one
 * (`_HLS_msn`/`_HLS_part`, rfc8216bis §6.2.5.2) and every part it lists that this viewer has not fetched yet, in
 * order. Each part's delivery lag (its receipt minus its first appearance in any viewer's playlist) is sampled.
 */
export class LlHlsViewer implements Viewer {
  readonly counters = new ViewerCounters();
  private readonly conn: KeepAliveConnection;
  private readonly hints: PreloadHintFetcher | undefined;
  private readonly queue: ListedPart[] = [];
  /** Key of the newest part fetched or queued (-1: none yet). */
  private cursor = -1;
  private mapPath: string | undefined;
  private reloadQuery = '';
  /** Without blocking reloads (not an LL-HLS playlist), reloads are paced at half a target duration. */
  private plainReloadMs = RETRY_DELAY_MS;
  private fetching: ListedPart | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly env: ViewerEnv, private readonly phaseMs: number, private readonly options: LlHlsViewerOptions) {
    this.conn = new KeepAliveConnection(env.target, this.counters);
    if (options.preloadHints) this.hints = new PreloadHintFetcher(env, this.counters, (part) => this.queue.push(part));
  }

  start(): void {
    this.timer = setTimeout(this.reload, this.phaseMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.conn.close();
    this.hints?.close();
  }

  private readonly reload = (): void => {
    if (!this.stopped) this.conn.get(this.env.path + this.reloadQuery, 'playlist', this.onPlaylist);
  };

  private readonly onPlaylist = (status: number, _bytes: number, text: string | undefined): void => {
    if (this.stopped) return;
    if (text === undefined) {
      // hls.js retries a failed blocking reload without directives.
      this.counters.error('playlist', status);
      this.reloadQuery = '';
      this.timer = setTimeout(this.reload, RETRY_DELAY_MS);
      return;
    }
    const playlist = this.env.scanner.scan(text, performance.now());
    this.reloadQuery = this.directives(playlist);
    this.plainReloadMs = Math.max(RETRY_DELAY_MS, playlist.targetDurationSec * 500);
    this.queueNew(playlist);
    this.hints?.afterPlaylist(playlist);
    this.fetchNext();
  };

  private directives(playlist: ScannedPlaylist): string {
    if (!playlist.canBlockReload || playlist.ended) return '';
    const { msn, part } = playlist.next;
    const skip = this.options.skip && playlist.canSkipUntilSec ? '&_HLS_skip=YES' : '';
    const sep = this.env.path.includes('?') ? '&' : '?';
    return `${sep}_HLS_msn=${msn}${part === undefined ? '' : `&_HLS_part=${part}`}${skip}`;
  }

  private queueNew(playlist: ScannedPlaylist): void {
    if (playlist.mapPath !== undefined && playlist.mapPath !== this.mapPath) {
      this.mapPath = playlist.mapPath;
      this.conn.get(playlist.mapPath, 'media', this.onInit);
    }
    const parts = playlist.parts;
    if (parts.length === 0) return;
    if (this.cursor < 0) {
      // Join at the live edge: the newest part.
      const newest = parts[parts.length - 1]!;
      this.queue.push(newest);
      this.cursor = newest.key;
      return;
    }
    for (const part of parts) {
      if (part.key <= this.cursor) continue;
      this.cursor = part.key;
      if (!this.hints?.covers(part)) this.queue.push(part);
    }
  }

  private fetchNext(): void {
    if (this.stopped || this.conn.busy) return;
    this.fetching = this.queue.shift();
    if (this.fetching) this.conn.get(this.fetching.path, 'media', this.onPart);
    else if (this.reloadQuery) this.reload();
    else this.timer = setTimeout(this.reload, this.plainReloadMs);
  }

  private readonly onInit = (status: number): void => {
    if (status !== 200) this.counters.error('init', status);
    this.fetchNext();
  };

  private readonly onPart = (status: number, bytes: number): void => {
    const part = this.fetching!;
    this.fetching = undefined;
    if (status === 200) {
      this.env.objects.received(part.object, bytes);
      this.env.partLag.add(performance.now() - part.object.firstListedAt);
    } else {
      this.counters.error('part', status);
    }
    this.fetchNext();
  };
}
