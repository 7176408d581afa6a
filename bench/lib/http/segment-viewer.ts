import { performance } from 'node:perf_hooks';
import { KeepAliveConnection } from './keep-alive-connection.js';
import type { ListedSegment, ScannedPlaylist } from './playlist-scan.js';
import type { Viewer, ViewerEnv } from './viewer.js';
import { ViewerCounters } from './viewer-counters.js';

/** Playlist polling period before the first playlist told the target duration (then: half of it, RFC 8216 §6.3.4). */
const FIRST_POLL_MS = 1000;

/**
 * A classic HLS viewer: reloads the media playlist every half target duration, on a fixed cadence from a random
 * phase, and fetches each new segment once, in order, on its one keep-alive connection; it starts at the newest
 * segment (and the init segment, for fMP4). A poll that comes while the previous one is still fetching is skipped
 * and counted (late polls): the viewer is falling behind.
 */
export class SegmentViewer implements Viewer {
  readonly counters = new ViewerCounters();
  latePolls = 0;
  private readonly conn: KeepAliveConnection;
  private readonly queue: ListedSegment[] = [];
  private lastMsn = -1;
  private mapPath: string | undefined;
  private pollMs = FIRST_POLL_MS;
  private nextPollAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private fetching: ListedSegment | undefined;

  constructor(private readonly env: ViewerEnv, private readonly phaseMs: number) {
    this.conn = new KeepAliveConnection(env.target, this.counters);
  }

  start(): void {
    this.nextPollAt = performance.now() + this.phaseMs;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.conn.close();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(this.poll, Math.max(0, this.nextPollAt - performance.now()));
  }

  private readonly poll = (): void => {
    this.nextPollAt += this.pollMs;
    this.schedule();
    if (this.conn.busy) {
      this.latePolls++;
      return;
    }
    this.conn.get(this.env.path, 'playlist', this.onPlaylist);
  };

  private readonly onPlaylist = (status: number, _bytes: number, text: string | undefined): void => {
    if (this.stopped) return;
    if (text === undefined) return this.counters.error('playlist', status);
    const playlist = this.env.scanner.scan(text, performance.now());
    if (playlist.targetDurationSec > 0) this.pollMs = (playlist.targetDurationSec * 1000) / 2;
    this.queueNew(playlist);
    this.fetchNext();
  };

  private queueNew(playlist: ScannedPlaylist): void {
    if (playlist.mapPath !== undefined && playlist.mapPath !== this.mapPath) {
      this.mapPath = playlist.mapPath;
      this.conn.get(playlist.mapPath, 'media', this.onInit);
    }
    const segments = playlist.segments;
    if (this.lastMsn < 0) {
      // Join at the live edge: the newest segment only.
      if (segments.length) this.queue.push(segments[segments.length - 1]!);
      return;
    }
    const queuedUpTo = this.queue.length ? this.queue[this.queue.length - 1]!.msn : this.lastMsn;
    for (const s of segments) if (s.msn > queuedUpTo) this.queue.push(s);
  }

  private fetchNext(): void {
    if (this.stopped || this.conn.busy) return;
    this.fetching = this.queue.shift();
    if (this.fetching) this.conn.get(this.fetching.path, 'media', this.onSegment);
  }

  private readonly onInit = (status: number): void => {
    if (status !== 200) this.counters.error('init', status);
    this.fetchNext();
  };

  private readonly onSegment = (status: number, bytes: number): void => {
    const segment = this.fetching!;
    this.fetching = undefined;
    if (status === 200) this.env.objects.received(segment.object, bytes);
    else this.counters.error('segment', status);
    this.lastMsn = segment.msn;
    this.fetchNext();
  };
}
