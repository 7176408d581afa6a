import type { Logger } from '../../core/logger.js';
import type { StreamNotes } from './cluster-types.js';

/** Where a stream's source HLS playlist stood after a completed segment (src/protocols/hls/resume.ts SegmentPosition). */
export interface PlaylistPosition {
  readonly msn: number;
  readonly discontinuity: number;
  readonly endPdt: number;
}

/** The note's kind: key `<prefix>hls:<stream path>`, value `<packager instance> <msn> <discontinuity> <end PDT>`. */
const KIND = 'hls';
/** A position fetched for a publish that never reached the hub (or found a packager here) is dropped after this. */
const PREFETCH_KEEP_MS = 15_000;
const MAX_PREFETCHED = 10_000;
const MAX_VALUE_LENGTH = 100;

/**
 * HLS playlists that continue across nodes (cluster mode). The owner of a stream writes where its source playlist
 * stands after each completed segment (one SET with a lifetime per segment per stream, beside the stream's lease);
 * a node admitting a publish reads it (one GET per publish), so that when its packager for the stream starts
 * (bridges/hls HlsPackagers, synchronously, at the publish) it continues that playlist: MSNs and the discontinuity
 * sequence go on, after an EXT-X-DISCONTINUITY, under its own packager instance's names. The store is a hint: when
 * Redis cannot be asked, a packager starts afresh, as without a cluster.
 */
export class HlsContinuity {
  private readonly prefetched = new Map<string, { at: number; position: PlaylistPosition }>();
  private failing = false;

  constructor(
    private readonly notes: StreamNotes,
    /** True while this node holds the stream's lease: only the owner's playlist is the stream's. */
    private readonly owns: (path: string) => boolean,
    private readonly log: Logger,
  ) {}

  /** Called once a publish of `path` is admitted (its lease claimed), before its media arrives. */
  async prefetch(path: string): Promise<void> {
    let value: string | undefined;
    try {
      value = await this.notes.get(KIND, path);
      this.failing = false;
    } catch (err) {
      this.failed(err, path);
      return;
    }
    const position = value === undefined ? undefined : parsePosition(value);
    this.prefetched.delete(path);
    if (!position) return;
    if (this.prefetched.size >= MAX_PREFETCHED) this.prune();
    if (this.prefetched.size >= MAX_PREFETCHED) this.prefetched.delete(this.prefetched.keys().next().value!);
    this.prefetched.set(path, { at: Date.now(), position });
  }

  /** The position fetched for `path`'s publish, once. */
  take(path: string): PlaylistPosition | undefined {
    const hit = this.prefetched.get(path);
    if (!hit) return undefined;
    this.prefetched.delete(path);
    return Date.now() - hit.at < PREFETCH_KEEP_MS ? hit.position : undefined;
  }

  record(path: string, instance: string, position: PlaylistPosition, ttlMs: number): void {
    if (!this.owns(path)) return;
    const value = `${instance} ${position.msn} ${position.discontinuity} ${Math.round(position.endPdt)}`;
    this.notes.set(KIND, path, value, ttlMs).then(() => (this.failing = false), (err: unknown) => this.failed(err, path));
  }

  /** The playlist `instance` made ended (ENDLIST): a later publish starts afresh, unless another node wrote since. */
  ended(path: string, instance: string): void {
    this.notes.deleteIfStartsWith(KIND, path, `${instance} `).catch((err: unknown) => this.failed(err, path));
  }

  private prune(): void {
    const now = Date.now();
    for (const [path, { at }] of this.prefetched) if (now - at >= PREFETCH_KEEP_MS) this.prefetched.delete(path);
  }

  /** Once per outage: the coordinator logs the outage itself. */
  private failed(err: unknown, path: string): void {
    if (this.failing) return;
    this.failing = true;
    this.log.warn({ path, err: (err as Error).message }, 'HLS playlist position not shared (cluster store unreachable): a failover meanwhile restarts the playlist');
  }
}

/** `<instance> <msn> <discontinuity> <endPdt>`, strictly; anything else is no position. */
export function parsePosition(value: string): PlaylistPosition | undefined {
  if (value.length > MAX_VALUE_LENGTH) return undefined;
  const m = /^[a-z0-9]{1,16} (\d{1,15}) (\d{1,15}) (\d{1,15})$/.exec(value);
  if (!m) return undefined;
  return { msn: Number(m[1]), discontinuity: Number(m[2]), endPdt: Number(m[3]) };
}
