import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { type RenditionReport, renderMediaPlaylist } from '../../formats/m3u8/index.js';
import { type LiveEdge, type ParkingClient, type ReloadRequest, ReloadWaiters, type Timers, advancePartLimit, isSatisfied, reloadDecision } from './blocking-reload.js';
import { segmentBytes, trackEnds } from './gap-segment.js';
import type { HlsTrack } from './hls-tracks.js';
import { BLOCK_TIMEOUT_TARGET_DURATIONS, KEYFRAME_START_MARGIN_MS, MAX_BLOCKED_REQUESTS, MAX_KEYFRAME_HOLDS, READY_LISTED_MS, READY_SEGMENTS } from './limits.js';
import { MediaWindow, type WindowSegment } from './media-window.js';
import { type HlsUriScheme, type PlaylistState, fmp4Playlist, partHoldBackSec, tsPlaylist } from './playlist-builder.js';
import type { RenditionAligner } from './rendition-alignment.js';
import { RenditionIngest } from './rendition-ingest.js';
import type { ResumePoint, SegmentPosition } from './resume.js';
import type { RenditionSettings } from './rendition-settings.js';
import { TsSegmentWriter, tsCapable } from './ts-segment-writer.js';

export type PlaylistAnswer =
  | { readonly status: 200; readonly body: string }
  | { readonly status: 400 | 404 | 503; readonly reason: string };

export interface RenditionOptions {
  readonly settings: RenditionSettings;
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
  /** Told where the playlist stands after each completed media segment (so another server can continue it). */
  readonly segmentDone?: (position: SegmentPosition) => void;
}

/**
 * One rendition of one stream (the passthrough source, or an ABR rendition's), shared by every viewer.
 * Split at its seam: the ingest side (RenditionIngest: publisher sessions in, parts and segments into the
 * bounded MediaWindow) and, here, the serving side: playlists with blocking reload (requests parked until
 * the part they name exists), init segments, segments and parts from the window, and MPEG-TS copies made
 * once a TS player asks. The serving side reads what the ingest side produced and never changes it.
 */
export class HlsRendition {
  private readonly mediaWindow: MediaWindow;
  private readonly ingest: RenditionIngest;
  private readonly waiters: ReloadWaiters;
  private readonly tsCache = new WeakMap<object, Buffer>();
  /** The writer of the newest session muxed: TS copies are made in playlist order by one muxer chain (muxTsThrough). */
  private tsWriter: { readonly session: number; readonly writer: TsSegmentWriter } | undefined;
  /** MSN of the newest segment a TS copy was made of (or tried). */
  private tsMuxedThrough = 0;
  private tsWanted = false;
  private changes = 0;
  private lowLatencyAskedAt = -Infinity;
  /** startsOnKeyframe as of `version` (every parked first playlist asks it after each change). */
  private keyframeStartVersion = -1;
  /** First playlists parked by keyframeStart now. */
  private keyframeHolds = 0;
  private keyframeStartNow = false;

  constructor(
    readonly id: string,
    private readonly options: RenditionOptions,
  ) {
    this.mediaWindow = new MediaWindow(options.settings.windowSegments);
    this.waiters = new ReloadWaiters(MAX_BLOCKED_REQUESTS, options.timers);
    this.ingest = new RenditionIngest(this.mediaWindow, {
      settings: options.settings, now: options.now ?? Date.now,
      ...(options.warn ? { warn: options.warn } : {}), ...(options.align ? { align: options.align } : {}),
    }, {
      segmentAdded: (seg) => {
        this.changes++;
        // Offered from now on: PART-TARGET is fitted to the parts cut so far and then holds (part-target.ts).
        if (this.hasSegments) this.ingest.partTarget?.fix();
        this.segmentAdded(seg);
      },
      changed: () => {
        this.changes++;
        this.waiters.check();
      },
    });
  }

  // ---- ingest side (RenditionIngest) ----

  get ended(): boolean {
    return this.ingest.ended;
  }

  get targetDuration(): number {
    return this.ingest.targetDuration;
  }

  /** PDT anchor of the live session: epoch ms of dts 0 on this rendition's timeline, undefined between sessions. */
  get anchor(): number | undefined {
    return this.ingest.anchor;
  }

  /** The open segment's MSN and start (stream timeline), for renditions following this one. */
  get openSegment(): { msn: number; startMs: number } | undefined {
    return this.ingest.openSegment;
  }

  /** dts of the newest frame packaged (stream timeline). */
  get lastFrameMs(): number | undefined {
    return this.ingest.lastFrameMs;
  }

  metadata(m: StreamMetadata): void {
    this.ingest.metadata(m);
  }

  packet(p: MediaPacket): void {
    this.ingest.packet(p);
  }

  /** The publisher left: close what is open; the next session starts with a discontinuity. */
  publisherEnd(): void {
    this.ingest.publisherEnd();
    this.changes++;
    // The session is cleared only after the flush that announced the last changes: held first playlists
    // (keyframeStartReady: no live session) are answered now, not at their cap.
    this.waiters.check();
  }

  publisherStart(): void {
    this.ingest.publisherStart();
    this.changes++;
  }

  /** Before any media: continue another packager's playlist (resume.ts) instead of starting a new one. */
  resume(point: ResumePoint): void {
    this.ingest.resume(point);
    this.changes++;
  }

  /** ENDLIST: answers every parked request. */
  end(): void {
    this.ingest.end();
    this.changes++;
  }

  close(): void {
    this.ingest.end();
    this.changes++;
    this.waiters.close();
  }

  // ---- serving side ----

  /**
   * The advertised PART-TARGET (part-target.ts): fitted to the stream's frame cadence when the rendition is first
   * offered (READY_SEGMENTS of parts are known by then), then constant for the playlist's life, also across a
   * publisher reconnect; the segmenter never cuts a part past it (rfc8216bis §4.4.4.9: a hard ceiling). Before it
   * is fixed (nothing offered yet) this is the widest value parts are cut under.
   */
  get partTargetSec(): number | undefined {
    const t = this.ingest.partTarget;
    return t === undefined ? undefined : t.ceilingMs / 1000;
  }

  /** Epoch ms of the last LL-HLS media playlist request (-Infinity: none), so the owner knows LL-HLS viewers watch. */
  get lowLatencyRequestedAt(): number {
    return this.lowLatencyAskedAt;
  }

  /** Tracks of the newest listed media (for CODECS/RESOLUTION), empty before the first segment. */
  get tracks(): readonly HlsTrack[] {
    const last = this.mediaWindow.segments[this.mediaWindow.segments.length - 1];
    return last?.session.tracks ?? [];
  }

  /**
   * Ready for players: a complete segment is listed and, for a live rendition, READY_SEGMENTS of them (or
   * READY_LISTED_MS of media, for long GOPs). Shaka Player (5.2) probes segments for CEA-608 captions at load,
   * picking ones around 1/4 and 3/4 of the list; with fewer than three complete segments it picks the open
   * segment, which has parts but no URI yet, and fails its load (`getScheme` of undefined). Classic playlists too:
   * a client starts three target durations from the end (rfc8216bis §6.3.3), which one segment cannot give, and
   * GStreamer 1.22 (hlsdemux2) never synced its next reload to a first playlist of one segment and stalled for good.
   */
  get hasSegments(): boolean {
    const segs = this.mediaWindow.segments;
    if (segs.length === 0) return false;
    if (!this.ingest.liveSession || segs.length >= READY_SEGMENTS) return true;
    let ms = 0;
    for (const s of segs) ms += s.durationMs;
    return ms >= READY_LISTED_MS;
  }

  /** Peak bits per second over the listed segments (EXT-X-STREAM-INF BANDWIDTH, RFC 8216 §4.3.4.2). */
  get peakBandwidth(): number {
    let peak = 0;
    for (const s of this.mediaWindow.segments) if (s.durationMs > 0 && !s.gap) peak = Math.max(peak, (s.bytes * 8 * 1000) / s.durationMs);
    return Math.ceil(peak);
  }

  /** Mean bits per second over the listed segments (EXT-X-STREAM-INF AVERAGE-BANDWIDTH, RFC 8216 §4.3.4.2). */
  get averageBandwidth(): number {
    let bytes = 0;
    let ms = 0;
    for (const s of this.mediaWindow.segments) {
      if (s.gap) continue;
      bytes += s.bytes;
      ms += s.durationMs;
    }
    return ms > 0 ? Math.ceil((bytes * 8 * 1000) / ms) : 0;
  }

  /** The last part listed (LAST-MSN/LAST-PART of an EXT-X-RENDITION-REPORT); undefined before any. */
  get lastPart(): { lastMsn: number; lastPart: number } | undefined {
    const open = this.ingest.progress;
    if (open && open.parts > 0) return { lastMsn: open.msn, lastPart: open.parts - 1 };
    const msn = this.mediaWindow.lastCompleteMsn;
    const seg = msn === undefined ? undefined : this.mediaWindow.segment(msn);
    // An EXT-X-GAP segment has no parts: nothing to report until media follows (LAST-PART -1 is no part index).
    return seg && msn !== undefined && seg.parts.length > 0 ? { lastMsn: msn, lastPart: seg.parts.length - 1 } : undefined;
  }

  /**
   * Waits for the first complete segment (a player that arrives with the publisher). `client`, in every wait here:
   * the request's connection, which frees the waiter's slot when it closes (blocking-reload.ts ParkingClient).
   */
  async waitFirstSegment(timeoutMs: number, client?: ParkingClient): Promise<boolean> {
    return this.waiters.wait(() => this.hasSegments || this.ingest.ended, timeoutMs, client).then(() => this.hasSegments);
  }

  /**
   * Rises with every change a playlist could show (a part, a segment, a session's end, ENDLIST): the serving
   * side caches rendered playlists by it (servers/http/playback/hls/playlist-cache.ts), so each state is
   * rendered once and shared by every request and every blocking-reload waiter.
   */
  get version(): number {
    return this.changes;
  }

  /**
   * `reports`: the sibling renditions' EXT-X-RENDITION-REPORTs (LL-HLS, rfc8216bis §4.4.5.4), asked after any
   * blocking wait so they are as fresh as this playlist.
   */
  async playlist(format: 'fmp4' | 'ts', req: ReloadRequest, uris: HlsUriScheme, reports?: () => RenditionReport[]): Promise<PlaylistAnswer> {
    const refused = await this.awaitPlaylist(format, req);
    return refused ?? { status: 200, body: this.renderPlaylist(format, req.skip !== undefined, uris, reports?.()) };
  }

  /** The waiting half of `playlist`: parks a blocking reload until it can be answered; undefined = render now. */
  async awaitPlaylist(format: 'fmp4' | 'ts', req: ReloadRequest, client?: ParkingClient): Promise<Exclude<PlaylistAnswer, { status: 200 }> | undefined> {
    const now = this.checkPlaylist(format, req);
    if (now !== 'wait') return now;
    const ok = await this.waiters.wait(() => isSatisfied(this.edge, req.msn!, req.part), this.blockTimeoutMs, client);
    return ok ? undefined : { status: 503, reason: 'the requested part did not appear in time' };
  }

  /**
   * The synchronous half of `awaitPlaylist`: a refusal, undefined (render now) or 'wait' (a blocking reload whose
   * part is not there yet). The serving side answers most requests from here without a promise.
   */
  checkPlaylist(format: 'fmp4' | 'ts', req: ReloadRequest): Exclude<PlaylistAnswer, { status: 200 }> | undefined | 'wait' {
    if (format === 'ts') {
      return this.enableTs() ? undefined : { status: 404, reason: 'a track of this stream cannot be carried in MPEG-TS' };
    }
    if (this.partTargetSec === undefined) return undefined;
    this.lowLatencyAskedAt = (this.options.now ?? Date.now)();
    const d = reloadDecision(this.edge, req, this.partTargetSec);
    if (d.kind === 'bad') return { status: 400, reason: d.reason };
    return d.kind === 'wait' ? 'wait' : undefined;
  }

  /** The rendering half of `playlist`: the current state as playlist text (same `version`, same text). */
  renderPlaylist(format: 'fmp4' | 'ts', skip: boolean, uris: HlsUriScheme, reports?: RenditionReport[]): string {
    if (format === 'ts') return renderMediaPlaylist(tsPlaylist(this.state(), uris));
    const ll = this.partTargetSec !== undefined;
    return renderMediaPlaylist(fmp4Playlist(this.state(), uris, ll && skip, ll ? reports : undefined));
  }

  /**
   * True when a player that starts PART-HOLD-BACK behind the newest listed part starts inside an INDEPENDENT part.
   * hls.js (1.7, low-latency mode) starts at `edge + age - PART-HOLD-BACK` (LatencyController.liveSyncPosition: edge =
   * end of the last listed part, age = time since the answer's first byte, which only moves it later), loads every
   * part from the last INDEPENDENT one of that segment before it, and Chromium decodes from that keyframe to the start
   * point before the first frame; it keeps the whole start-up as latency (README, "Where hls.js's latency comes
   * from"). Starting inside the keyframe's own part, it decodes less than one part first.
   */
  get startsOnKeyframe(): boolean {
    if (this.keyframeStartVersion !== this.changes) {
      this.keyframeStartVersion = this.changes;
      this.keyframeStartNow = this.keyframePartAtHoldBack();
    }
    return this.keyframeStartNow;
  }

  /**
   * A new viewer's first LL-HLS media playlist: undefined = answer now (the start point is on a keyframe part already,
   * or the hold is off, or nothing is being produced); else resolves once startsOnKeyframe holds, the stream ends or
   * keyframeStartMaxMs passes (at most about one keyframe interval at 2 s GOPs), parked with the blocking reloads
   * (at most MAX_KEYFRAME_HOLDS of their MAX_BLOCKED_REQUESTS slots, so a burst of new viewers never leaves blocking
   * reloads without one; past it the playlist is answered at once). `client` frees the slot when its connection
   * closes, as for a blocking reload.
   */
  keyframeStart(client?: ParkingClient): Promise<boolean> | undefined {
    if (!this.holdsFirstPlaylist || this.keyframeStartReady() || this.keyframeHolds >= MAX_KEYFRAME_HOLDS) return undefined;
    this.keyframeHolds++;
    return this.waiters.wait(this.keyframeStartReady, this.options.settings.keyframeStartMaxMs!, client).finally(() => this.keyframeHolds--);
  }

  /** Whether a first playlist may be held at all (the setting on, LL-HLS): the caller's cue to tell new viewers. */
  get holdsFirstPlaylist(): boolean {
    return (this.options.settings.keyframeStartMaxMs ?? 0) > 0 && this.partTargetSec !== undefined;
  }

  init(initId: number): Buffer | undefined {
    return this.ingest.init(initId);
  }

  /** A listed segment's bytes (segmentBytes: an EXT-X-GAP segment's is a fragment without media); undefined (404) when it is gone. */
  segment(msn: number): readonly Buffer[] | undefined {
    const seg = this.mediaWindow.segment(msn);
    if (!seg) return undefined;
    return segmentBytes(seg);
  }

  part(msn: number, index: number): readonly Buffer[] | undefined {
    return this.mediaWindow.part(msn, index)?.chunks;
  }

  /**
   * A part not produced yet is waited for when it is the hinted one or within the Advance Part Limit after it
   * (rfc8216bis §6.2.6: a request for a hinted resource is held until the whole part can be sent, never 404);
   * anything else is undefined (404). The wait is bounded like a blocking reload (3 target durations, and
   * MAX_BLOCKED_REQUESTS waiters per rendition) and ends early when the part's segment completes without it.
   */
  async awaitPart(msn: number, index: number, client?: ParkingClient): Promise<readonly Buffer[] | undefined> {
    const have = this.part(msn, index);
    if (have || this.ingest.ended || !this.isUpcoming(msn, index)) return have;
    await this.waiters.wait(() => this.part(msn, index) !== undefined || this.ingest.ended || (this.mediaWindow.lastCompleteMsn ?? 0) >= msn, this.blockTimeoutMs, client);
    return this.part(msn, index);
  }

  /**
   * What a rendered playlist depends on besides the request (skip, token, sibling reports): it changes
   * whenever the window, the next part or ENDLIST does, since every change of the window closes a part or a
   * segment and so moves the next part. Equal keys render equal playlists.
   */
  get stateKey(): string {
    const next = this.ingest.hintedPart;
    if (this.ingest.ended) return `${this.mediaWindow.lastCompleteMsn ?? 0}.end`;
    return next ? `${next.msn}.${next.index}` : `${this.mediaWindow.lastCompleteMsn ?? 0}.idle`;
  }

  tsSegment(msn: number): Buffer | undefined {
    const seg = this.mediaWindow.segment(msn);
    // An EXT-X-GAP segment muxes to the tables alone (PAT + PMT, no PES): the TS form of gap-segment.ts's fragment.
    if (!seg || !this.enableTs()) return undefined;
    this.muxTsThrough(msn);
    return this.tsCache.get(seg);
  }

  /** Bytes held (window plus open parts), for stats and memory checks. */
  get bytes(): number {
    return this.mediaWindow.totalBytes;
  }

  /** The window, read-only, for stats, tests and ABR alignment. */
  window(): Pick<MediaWindow, 'segments' | 'current' | 'lastCompleteMsn' | 'discontinuitySequence'> {
    return this.mediaWindow;
  }

  // ---- internals ----

  /** One function for every parked first playlist (no closure per request). */
  private readonly keyframeStartReady = (): boolean => this.ingest.ended || this.ingest.liveSession === undefined || this.startsOnKeyframe;

  /**
   * Walks back from the newest listed part to the part holding the start point (PART-HOLD-BACK + a margin behind the
   * edge, so float sums in the player cannot put it before that part). A gap, or no part that far back, is not held
   * for (true).
   */
  private keyframePartAtHoldBack(): boolean {
    const pt = this.partTargetSec;
    if (pt === undefined) return true;
    const holdBackMs = partHoldBackSec(pt, this.options.settings.partHoldBackParts) * 1000 + KEYFRAME_START_MARGIN_MS;
    let back = 0;
    // The part holding the start point among `parts` (newest first), or undefined when it lies further back.
    const startPart = (parts: readonly { readonly durationMs: number; readonly independent: boolean }[]): boolean | undefined => {
      for (let i = parts.length - 1; i >= 0; i--) if ((back += parts[i]!.durationMs) >= holdBackMs) return parts[i]!.independent;
      return undefined;
    };
    const open = this.mediaWindow.current;
    const inOpen = open ? startPart(open.parts) : undefined;
    if (inOpen !== undefined) return inOpen;
    const segs = this.mediaWindow.segments;
    for (let s = segs.length - 1; s >= 0; s--) {
      if (segs[s]!.gap) return true;
      const found = startPart(segs[s]!.parts);
      if (found !== undefined) return found;
    }
    return true;
  }

  /** A segment completed: its TS copy is made now once TS players exist (and those of the gaps before it). */
  private segmentAdded(seg: WindowSegment): void {
    if (this.tsWanted) this.muxTsThrough(seg.msn);
    this.options.segmentDone?.({
      msn: seg.msn, discontinuity: this.mediaWindow.lastDiscontinuity, endPdt: seg.programDateTime + seg.durationMs, trackEnds: trackEnds(seg),
    });
  }

  private get blockTimeoutMs(): number {
    return BLOCK_TIMEOUT_TARGET_DURATIONS * this.ingest.targetDuration * 1000;
  }

  private get edge(): LiveEdge {
    const progress = this.ingest.progress;
    return {
      ended: this.ingest.ended,
      lastCompleteMsn: this.mediaWindow.lastCompleteMsn,
      openMsn: progress?.msn,
      openParts: progress?.parts ?? 0,
      partsIn: (msn) => this.mediaWindow.segment(msn)?.parts.length,
    };
  }

  private state(): PlaylistState {
    this.ingest.partTarget?.fix(); // a playlist shows it: from now on it holds
    return {
      window: this.mediaWindow, targetDuration: this.ingest.targetDuration, partTargetSec: this.partTargetSec,
      ...(this.options.settings.partHoldBackParts !== undefined ? { partHoldBackParts: this.options.settings.partHoldBackParts } : {}),
      ended: this.ingest.ended, next: this.ingest.hintedPart,
    };
  }

  /** The next part to be produced, or one within the Advance Part Limit after it (rfc8216bis §6.2.5.2). */
  private isUpcoming(msn: number, index: number): boolean {
    const pt = this.partTargetSec;
    if (pt === undefined) return false;
    const next = this.ingest.nextPart;
    const limit = advancePartLimit(pt);
    if (msn === next.msn) return index >= next.index && index < next.index + limit;
    // The following segment: how many parts are left in this one is not known yet, so count from its start.
    return msn === next.msn + 1 && index < limit;
  }

  private enableTs(): boolean {
    const tracks = this.ingest.liveSession?.tracks ?? this.tracks;
    if (!tsCapable(tracks)) return false;
    if (!this.tsWanted) {
      this.tsWanted = true; // from now on every segment is muxed once, as it completes, in order
      this.muxTsThrough(this.mediaWindow.lastCompleteMsn ?? 0);
    }
    return true;
  }

  /**
   * TS copies of the listed segments up to `msn` not made yet, oldest first: each PID's continuity counter runs on
   * in playlist order, gaps included. An EXT-X-GAP segment completes with no segmentAdded of its own; made when it is
   * asked for, after the media behind it had its copy, its tables took counters out of order.
   */
  private muxTsThrough(msn: number): void {
    if (msn <= this.tsMuxedThrough) return;
    for (const seg of this.mediaWindow.segments) {
      if (seg.msn > msn) break;
      if (seg.msn > this.tsMuxedThrough) this.muxTs(seg);
    }
    this.tsMuxedThrough = msn;
  }

  private muxTs(seg: WindowSegment): void {
    if (!tsCapable(seg.session.tracks)) return;
    let w = this.tsWriter;
    if (w?.session !== seg.session.id) this.tsWriter = w = { session: seg.session.id, writer: new TsSegmentWriter(seg.session.tracks, w?.writer) };
    try {
      this.tsCache.set(seg, w.writer.write(seg));
    } catch (err) {
      this.options.warn?.(`MPEG-TS segment ${seg.msn} failed: ${(err as Error).message}`);
    }
  }
}
