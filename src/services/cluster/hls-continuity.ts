import type { Logger } from '../../core/logger.js';
import type { StreamNotes } from './cluster-types.js';

/** Where a stream's source HLS playlist stood after a completed segment (src/protocols/hls/resume.ts SegmentPosition). */
export interface PlaylistPosition {
  readonly msn: number;
  readonly discontinuity: number;
  readonly endPdt: number;
  /** Where each track of that segment ends (track_ID, timescale, decode time): the next owner's gap fragments go on from there. */
  readonly trackEnds?: readonly { readonly trackId: number; readonly timescale: number; readonly dts: number }[];
}

/**
 * The note's kind: key `<prefix>hls:<stream path>`, value `<packager instance> <msn> <discontinuity> <end PDT>`
 * then ` <track_ID>:<timescale>:<decode time>` per track (formatPosition).
 */
const KIND = 'hls';
/** A position fetched for a publish that never reached the hub (or found a packager here) is dropped after this. */
const PREFETCH_KEEP_MS = 15_000;
const MAX_PREFETCHED = 10_000;
const MAX_VALUE_LENGTH = 200;
/** Track ends kept in a value (a packager's tracks: one video, one audio). */
const MAX_TRACK_ENDS = 4;
const POSITION_PATTERN = new RegExp(`^[a-z0-9]{1,16} (\\d{1,15}) (\\d{1,15}) (\\d{1,15})((?: \\d{1,3}:\\d{1,9}:\\d{1,15}){0,${MAX_TRACK_ENDS}})$`);

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
    const value = formatPosition(instance, position);
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

/** `<instance> <msn> <discontinuity> <endPdt>[ <trackId>:<timescale>:<dts>]...`, what parsePosition reads. */
export function formatPosition(instance: string, position: PlaylistPosition): string {
  let value = `${instance} ${position.msn} ${position.discontinuity} ${Math.round(position.endPdt)}`;
  for (const t of (position.trackEnds ?? []).slice(0, MAX_TRACK_ENDS)) value += ` ${t.trackId}:${t.timescale}:${Math.round(t.dts)}`;
  return value;
}

/**
 * formatPosition's value, strictly; anything else is no position. Without track ends (a value an older version
 * wrote) it is still one: the next owner's gap fragments then start on its own timeline.
 */
export function parsePosition(value: string): PlaylistPosition | undefined {
  if (value.length > MAX_VALUE_LENGTH) return undefined;
  const m = POSITION_PATTERN.exec(value);
  if (!m) return undefined;
  const position = { msn: Number(m[1]), discontinuity: Number(m[2]), endPdt: Number(m[3]) };
  if (!m[4]) return position;
  const trackEnds = m[4].slice(1).split(' ').map((t) => {
    const [trackId, timescale, dts] = t.split(':').map(Number) as [number, number, number];
    return { trackId, timescale, dts };
  });
  return trackEnds.every((t) => t.timescale > 0) ? { ...position, trackEnds } : undefined;
}
