import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { buildInitSegment } from '../../formats/fmp4/index.js';
import { type RenditionReport, renderMediaPlaylist } from '../../formats/m3u8/index.js';
import { type LiveEdge, type ReloadRequest, ReloadWaiters, type Timers, isSatisfied, reloadDecision } from './blocking-reload.js';
import type { HlsSettings } from './hls-settings.js';
import { type HlsTrack, sameTrack } from './hls-tracks.js';
import { BLOCK_TIMEOUT_TARGET_DURATIONS, MAX_BLOCKED_REQUESTS, PART_TARGET_HEADROOM } from './limits.js';
import { type HlsSession, MediaWindow, type SegmentTags } from './media-window.js';
import type { RenditionAligner } from './rendition-alignment.js';
import { type HlsUriScheme, fmp4Playlist, tsPlaylist } from './playlist-builder.js';
import { Segmenter, type SegmenterEvent } from './segmenter.js';
import { TrackSelector } from './track-selector.js';
import { TsSegmentWriter, tsCapable } from './ts-segment-writer.js';

export type PlaylistAnswer =
  | { readonly status: 200; readonly body: string }
  | { readonly status: 400 | 404 | 503; readonly reason: string };

export interface RenditionOptions {
  readonly settings: HlsSettings;
  /** Wall clock (epoch ms) for PROGRAM-DATE-TIME; injectable for tests. */
  readonly now?: () => number;
  readonly timers?: Timers;
  /** Called with a reason when a config is rejected or a muxer fails (the owner logs it). */
  readonly warn?: (msg: string) => void;
  /**
   * ABR renditions: cut, number and date segments like the source (rendition-alignment.ts); absent = on
   * this rendition's own (segment target, MSN from 1, own PDT anchor).
   */
  readonly align?: RenditionAligner;
}

interface LiveSession {
  readonly info: HlsSession;
  readonly segmenter: Segmenter;
  readonly initId: number;
  readonly discontinuity: boolean;
  readonly firstMsn: number;
  /** Wall clock minus stream time, minimised over the session: the least-delayed arrival. */
  anchor: number;
  openTags: SegmentTags | undefined;
}

/** Media Sequence starts at 1: hls.js <= 1.7.1 skips blocking reload while the last MSN is 0 (INTEROP §5). */
const FIRST_MSN = 1;

/**
 * One rendition of one stream (today the passthrough source; ABR adds more): publisher sessions in,
 * a bounded window of fMP4 parts/segments out, with init segments, MPEG-TS copies made once a TS player
 * asks, playlists and blocking reload. Shared by every viewer.
 */
export class HlsRendition {
  private readonly selector = new TrackSelector();
  private readonly mediaWindow: MediaWindow;
  private readonly waiters: ReloadWaiters;
  private readonly inits = new Map<number, { tracks: readonly HlsTrack[]; data: Buffer }>();
  private readonly tsCache = new WeakMap<object, Buffer>();
  private readonly tsWriters = new Map<number, TsSegmentWriter>();
  private session: LiveSession | undefined;
  private nextMsnValue = FIRST_MSN;
  private fragmentSeq = 1;
  private sessionSeq = 0;
  private pendingDiscontinuity = false;
  private tsWanted = false;
  private endedFlag = false;
  private lastFrame: number | undefined;
  private targetDurationValue: number;
  private readonly now: () => number;

  constructor(
    readonly id: string,
    private readonly options: RenditionOptions,
  ) {
    this.mediaWindow = new MediaWindow(options.settings.windowSegments);
    this.waiters = new ReloadWaiters(MAX_BLOCKED_REQUESTS, options.timers);
    this.targetDurationValue = Math.max(1, Math.round(options.settings.segmentMs / 1000));
    this.now = options.now ?? Date.now;
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  get targetDuration(): number {
    return this.targetDurationValue;
  }

  /**
   * The advertised PART-TARGET: the cutting target plus PART_TARGET_HEADROOM. Parts are cut at the target from
   * the frames seen so far, but a frame's duration is only known when the next frame arrives, so a timestamp
   * gap (an encoder hiccup, a looped file) can stretch the last part slightly; the spec makes PART-TARGET a
   * hard ceiling (rfc8216bis §4.4.4.9).
   */
  get partTargetSec(): number | undefined {
    const p = this.options.settings.partMs;
    return p === undefined ? undefined : Math.round(p * (1 + PART_TARGET_HEADROOM)) / 1000;
  }

  /** Tracks of the newest listed media (for CODECS/RESOLUTION), empty before the first segment. */
  get tracks(): readonly HlsTrack[] {
    const last = this.mediaWindow.segments[this.mediaWindow.segments.length - 1];
    return last?.session.tracks ?? [];
  }

  get hasSegments(): boolean {
    return this.mediaWindow.segments.length > 0;
  }

  /** Peak bits per second over the listed segments (EXT-X-STREAM-INF BANDWIDTH, RFC 8216 §4.3.4.2). */
  get peakBandwidth(): number {
    let peak = 0;
    for (const s of this.mediaWindow.segments) if (s.durationMs > 0) peak = Math.max(peak, (s.bytes * 8 * 1000) / s.durationMs);
    return Math.ceil(peak);
  }

  /** Mean bits per second over the listed segments (EXT-X-STREAM-INF AVERAGE-BANDWIDTH, RFC 8216 §4.3.4.2). */
  get averageBandwidth(): number {
    let bytes = 0;
    let ms = 0;
    for (const s of this.mediaWindow.segments) {
      bytes += s.bytes;
      ms += s.durationMs;
    }
    return ms > 0 ? Math.ceil((bytes * 8 * 1000) / ms) : 0;
  }

  /**
   * PDT anchor of the live session: epoch ms of dts 0 on this rendition's timeline (wall clock minus stream
   * time, minimised over the session), undefined between sessions.
   */
  get anchor(): number | undefined {
    const a = this.session?.anchor;
    return a === undefined || a === Infinity ? undefined : a;
  }

  /** The open segment's MSN and start (stream timeline), for renditions following this one. */
  get openSegment(): { msn: number; startMs: number } | undefined {
    return this.session?.segmenter.openSegmentStart;
  }

  /** The last part listed (LAST-MSN/LAST-PART of an EXT-X-RENDITION-REPORT); undefined before any. */
  get lastPart(): { lastMsn: number; lastPart: number } | undefined {
    const open = this.session?.segmenter.progress;
    if (open && open.parts > 0) return { lastMsn: open.msn, lastPart: open.parts - 1 };
    const msn = this.mediaWindow.lastCompleteMsn;
    const seg = msn === undefined ? undefined : this.mediaWindow.segment(msn);
    return seg && msn !== undefined ? { lastMsn: msn, lastPart: seg.parts.length - 1 } : undefined;
  }

  /** dts of the newest frame packaged (stream timeline). */
  get lastFrameMs(): number | undefined {
    return this.lastFrame;
  }

  /** Bytes held (window plus open parts), for stats and memory checks. */
  get bytes(): number {
    return this.mediaWindow.totalBytes;
  }

  // ---- ingest side ----

  metadata(m: StreamMetadata): void {
    this.selector.metadata(m);
  }

  packet(p: MediaPacket): void {
    if (this.endedFlag) return;
    if (p.role === 'config') {
      if (this.selector.config(p) && this.session) this.endSession(); // new codec config: new init, discontinuity
      this.flushRejected();
      return;
    }
    if (p.role !== 'frame') return;
    if (!this.session) {
      const sel = this.selector.select(p);
      this.flushRejected();
      if (sel.kind === 'wait') return;
      this.startSession(sel.tracks);
    }
    const s = this.session!;
    const track = trackFor(s.info.tracks, p);
    if (!track) return;
    s.anchor = Math.min(s.anchor, this.now() - p.dts);
    this.lastFrame = p.dts;
    this.apply(s.segmenter.push(track, { dtsMs: p.dts, ctsMs: p.cts, keyframe: p.keyframe, data: p.data }));
  }

  /** The publisher left: close what is open; the next session starts with a discontinuity. */
  publisherEnd(): void {
    if (this.session) this.endSession();
    this.selector.reset();
  }

  publisherStart(): void {
    this.selector.reset();
  }

  /** ENDLIST: answers every parked request. */
  end(): void {
    if (this.endedFlag) return;
    if (this.session) this.endSession();
    this.endedFlag = true;
    this.waiters.check();
  }

  close(): void {
    this.end();
    this.waiters.close();
  }

  // ---- serving side ----

  /** Waits for the first complete segment (a player that arrives with the publisher). */
  async waitFirstSegment(timeoutMs: number): Promise<boolean> {
    return this.waiters.wait(() => this.hasSegments || this.endedFlag, timeoutMs).then(() => this.hasSegments);
  }

  /**
   * `reports`: the sibling renditions' EXT-X-RENDITION-REPORTs (LL-HLS, rfc8216bis §4.4.5.4), asked after any
   * blocking wait so they are as fresh as this playlist.
   */
  async playlist(format: 'fmp4' | 'ts', req: ReloadRequest, uris: HlsUriScheme, reports?: () => RenditionReport[]): Promise<PlaylistAnswer> {
    if (format === 'ts') {
      if (!this.enableTs()) return { status: 404, reason: 'a track of this stream cannot be carried in MPEG-TS' };
      return { status: 200, body: renderMediaPlaylist(tsPlaylist(this.state(), uris)) };
    }
    const ll = this.partTargetSec !== undefined;
    if (ll) {
      const d = reloadDecision(this.edge, req, this.partTargetSec);
      if (d.kind === 'bad') return { status: 400, reason: d.reason };
      if (d.kind === 'wait') {
        const ok = await this.waiters.wait(() => isSatisfied(this.edge, req.msn!, req.part), this.blockTimeoutMs);
        if (!ok) return { status: 503, reason: 'the requested part did not appear in time' };
      }
    }
    return { status: 200, body: renderMediaPlaylist(fmp4Playlist(this.state(), uris, ll && req.skip !== undefined, ll ? reports?.() : undefined)) };
  }

  init(initId: number): Buffer | undefined {
    return this.inits.get(initId)?.data;
  }

  segment(msn: number): readonly Buffer[] | undefined {
    return this.mediaWindow.segment(msn)?.parts.flatMap((p) => p.chunks);
  }

  part(msn: number, index: number): readonly Buffer[] | undefined {
    return this.mediaWindow.part(msn, index)?.chunks;
  }

  /** A part not produced yet but next in line (the preload hint) is waited for; anything else is 404. */
  async awaitPart(msn: number, index: number): Promise<readonly Buffer[] | undefined> {
    const have = this.part(msn, index);
    if (have || this.endedFlag) return have;
    const progress = this.session?.segmenter.progress;
    const next = progress ? progress.msn === msn && progress.parts === index : msn === this.nextMsnValue && index === 0;
    if (!next) return undefined;
    // Answered once the part exists or its segment closed without it (then 404, the client reloads).
    await this.waiters.wait(() => this.part(msn, index) !== undefined || this.endedFlag || (this.mediaWindow.lastCompleteMsn ?? 0) >= msn, this.blockTimeoutMs);
    return this.part(msn, index);
  }

  tsSegment(msn: number): Buffer | undefined {
    const seg = this.mediaWindow.segment(msn);
    if (!seg || !this.enableTs()) return undefined;
    return this.tsCache.get(seg) ?? this.muxTs(seg);
  }

  /** The window, read-only, for stats and tests. */
  window(): Pick<MediaWindow, 'segments' | 'current' | 'lastCompleteMsn' | 'discontinuitySequence'> {
    return this.mediaWindow;
  }

  // ---- internals ----

  private get blockTimeoutMs(): number {
    return BLOCK_TIMEOUT_TARGET_DURATIONS * this.targetDurationValue * 1000;
  }

  private get edge(): LiveEdge {
    const progress = this.session?.segmenter.progress;
    return {
      ended: this.endedFlag,
      lastCompleteMsn: this.mediaWindow.lastCompleteMsn,
      openMsn: progress?.msn,
      openParts: progress?.parts ?? 0,
      partsIn: (msn) => this.mediaWindow.segment(msn)?.parts.length,
    };
  }

  private state(): Parameters<typeof fmp4Playlist>[0] {
    return {
      window: this.mediaWindow, targetDuration: this.targetDurationValue, partTargetSec: this.partTargetSec,
      ended: this.endedFlag, nextMsn: this.session?.segmenter.nextMsn ?? this.nextMsnValue,
    };
  }

  private startSession(tracks: readonly HlsTrack[]): void {
    let initId: number | undefined;
    for (const [id, init] of this.inits) {
      if (init.tracks.length === tracks.length && init.tracks.every((t, i) => sameTrack(t, tracks[i]))) initId = id;
    }
    if (initId === undefined) {
      initId = ++this.sessionSeq;
      this.inits.set(initId, { tracks, data: buildInitSegment(tracks.map((t) => t.fmp4)) });
    }
    const align = this.options.align;
    // Only the very first segment may take the source's MSN: a jump later would break the numbering.
    const fresh = this.nextMsnValue === FIRST_MSN && this.mediaWindow.segments.length === 0;
    const segmenter = new Segmenter(tracks, {
      segmentMs: this.options.settings.segmentMs, partMs: this.options.settings.partMs,
      firstMsn: this.nextMsnValue, firstFragmentSeq: this.fragmentSeq,
      ...(align ? { follow: { cutAt: (t: number) => align.cutAt(t), ...(fresh ? { msnAt: (t: number) => align.msnAt?.(t) } : {}) } } : {}),
    });
    this.session = {
      info: { id: ++this.sessionSeq, tracks }, segmenter, initId, discontinuity: this.pendingDiscontinuity,
      firstMsn: this.nextMsnValue, anchor: Infinity, openTags: undefined,
    };
    this.pendingDiscontinuity = false;
  }

  private endSession(): void {
    const s = this.session!;
    this.apply(s.segmenter.flush());
    this.nextMsnValue = s.segmenter.nextMsn;
    this.fragmentSeq = s.segmenter.nextFragmentSeq;
    this.session = undefined;
    this.pendingDiscontinuity = true;
  }

  private apply(events: readonly SegmenterEvent[]): void {
    if (events.length === 0) return;
    const s = this.session!;
    for (const e of events) {
      if (e.type === 'part') {
        if (e.part.index === 0) {
          s.openTags = {
            discontinuity: s.discontinuity && e.part.msn === s.firstMsn, initId: s.initId,
            programDateTime: this.options.align?.pdtAt(e.part.startMs) ?? Math.round(s.anchor + e.part.startMs), session: s.info,
          };
        }
        this.mediaWindow.addPart(e.part, s.openTags!);
      } else {
        const ws = this.mediaWindow.addSegment(e.segment, s.openTags!);
        this.targetDurationValue = Math.max(this.targetDurationValue, Math.round(e.segment.durationMs / 1000));
        if (this.tsWanted) this.muxTs(ws);
        this.pruneInits();
      }
    }
    this.waiters.check();
  }

  private enableTs(): boolean {
    const tracks = this.session?.info.tracks ?? this.tracks;
    if (!tsCapable(tracks)) return false;
    if (!this.tsWanted) {
      this.tsWanted = true; // from now on every segment is muxed once, as it completes, in order
      for (const seg of this.mediaWindow.segments) this.muxTs(seg);
    }
    return true;
  }

  private muxTs(seg: Parameters<TsSegmentWriter['write']>[0] & { readonly session: HlsSession }): Buffer | undefined {
    if (!tsCapable(seg.session.tracks)) return undefined;
    let w = this.tsWriters.get(seg.session.id);
    if (!w) this.tsWriters.set(seg.session.id, (w = new TsSegmentWriter(seg.session.tracks)));
    try {
      const ts = w.write(seg);
      this.tsCache.set(seg, ts);
      return ts;
    } catch (err) {
      this.options.warn?.(`MPEG-TS segment ${seg.msn} failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  private pruneInits(): void {
    const used = this.mediaWindow.initIdsInUse();
    if (this.session) used.add(this.session.initId);
    for (const id of this.inits.keys()) if (!used.has(id)) this.inits.delete(id);
    const live = new Set(this.mediaWindow.segments.map((seg) => seg.session.id));
    if (this.session) live.add(this.session.info.id);
    for (const id of this.tsWriters.keys()) if (!live.has(id)) this.tsWriters.delete(id);
  }

  private flushRejected(): void {
    while (this.selector.rejected.length > 0) this.options.warn?.(this.selector.rejected.shift()!);
  }
}

/** The session track a packet belongs to; a loop, not find(), as it runs for every frame. */
function trackFor(tracks: readonly HlsTrack[], p: MediaPacket): HlsTrack | undefined {
  for (let i = 0; i < tracks.length; i++) {
    const t = tracks[i]!;
    if (t.kind === p.kind && t.codec === p.codec) return t;
  }
  return undefined;
}
