import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { buildInitSegment } from '../../formats/fmp4/index.js';
import { type HlsTrack, sameTrack } from './hls-tracks.js';
import { type HlsSession, MediaWindow, type PartRef, type SegmentTags, type WindowSegment } from './media-window.js';
import type { RenditionAligner } from './rendition-alignment.js';
import type { RenditionSettings } from './rendition-settings.js';
import { PartTarget } from './part-target.js';
import { Segmenter, type SegmenterEvent } from './segmenter.js';
import { planAbsence } from './absence-gaps.js';
import { gapDtsAfter, trackEnds } from './gap-segment.js';
import { MAX_ABSENCE_GAPS } from './limits.js';
import type { ResumePoint, TrackEnd } from './resume.js';
import { TrackSelector } from './track-selector.js';

/** Media Sequence starts at 1: hls.js <= 1.7.1 skips blocking reload while the last MSN is 0 (`details.endSN &&`,
 *  fixed by video-dev/hls.js#8013). */
export const FIRST_MSN = 1;

export interface IngestOptions {
  readonly settings: RenditionSettings;
  /** Wall clock (epoch ms) for PROGRAM-DATE-TIME. */
  readonly now: () => number;
  /** Called with a reason when a config is rejected (the owner logs it). */
  readonly warn?: (msg: string) => void;
  /** ABR renditions: cut, number and date segments like the source; absent = on this rendition's own. */
  readonly align?: RenditionAligner;
}

/** What the serving side hears from the ingest side. */
export interface IngestListener {
  /** A segment completed and entered the window (before older init segments are pruned). */
  segmentAdded(segment: WindowSegment): void;
  /** The window or the live edge changed (parked requests may now be answerable). */
  changed(): void;
}

interface LiveSession {
  readonly info: HlsSession;
  readonly segmenter: Segmenter;
  readonly initId: number;
  readonly discontinuity: boolean;
  /** MSN of the session's first media segment (after any EXT-X-GAP segments for the absence before it). */
  firstMsn: number;
  /**
   * Epoch ms of stream time 0: wall clock minus stream time, minimised over the frames until the first part is
   * cut (the first PROGRAM-DATE-TIME written), then fixed, so every segment's PROGRAM-DATE-TIME is the previous one
   * plus its duration. Minimised past the first keyframe because that frame may have waited: before any LL-HLS
   * viewer a publisher is read in merged reads of up to half a part, and a PDT anchored on a frame read late was
   * up to ~150 ms after the media's arrival (bench/hls-latency-timeline.ts: parts listed before their PDT end),
   * which made every glass-to-glass figure read from PDT that much too low. After a reconnect the anchor comes
   * from the absence plan (continuous dates) and is fixed at the first keyframe.
   */
  anchor: number;
  anchorFixed: boolean;
  /** A fresh session's anchor still takes the minimum until its first part is cut (see anchor). */
  anchorRefining: boolean;
  openTags: SegmentTags | undefined;
}

/**
 * The ingest side of a rendition: publisher sessions in (track selection, segmenting, init segments,
 * discontinuities, PROGRAM-DATE-TIME), parts and segments out into the MediaWindow. Knows nothing of
 * requests; the serving side reads the window and the live edge it exposes.
 */
export class RenditionIngest {
  private readonly selector = new TrackSelector();
  private readonly inits = new Map<number, { tracks: readonly HlsTrack[]; data: Buffer }>();
  private session: LiveSession | undefined;
  private nextMsnValue = FIRST_MSN;
  private fragmentSeq = 1;
  private sessionSeq = 0;
  private pendingDiscontinuity = false;
  private endedFlag = false;
  private lastFrame: number | undefined;
  /** resume(): where the continued playlist's last segment ended (epoch ms); the first session's gaps start there. */
  private resumedAfterPdt: number | undefined;
  /** resume(): where each track of the continued playlist's last segment ended; the first session's gaps continue it. */
  private resumedTrackEnds: readonly TrackEnd[] | undefined;
  private targetDurationValue: number;
  /** LL-HLS: the rendition's PART-TARGET (fixed by the serving side at its first playlist); undefined = no parts. */
  readonly partTarget: PartTarget | undefined;

  constructor(
    private readonly mediaWindow: MediaWindow,
    private readonly options: IngestOptions,
    private readonly listener: IngestListener,
  ) {
    this.targetDurationValue = Math.max(1, Math.round(options.settings.segmentMs / 1000));
    const { partMs, fitPartTarget } = options.settings;
    this.partTarget = partMs === undefined ? undefined : new PartTarget(partMs, fitPartTarget ?? true);
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  /** EXT-X-TARGETDURATION: the segment target, raised by any longer segment produced. */
  get targetDuration(): number {
    return this.targetDurationValue;
  }

  /** PDT anchor of the live session (epoch ms of dts 0 on this rendition's timeline), undefined between sessions. */
  get anchor(): number | undefined {
    const a = this.session?.anchor;
    return a === undefined || a === Infinity ? undefined : a;
  }

  /** The open segment's MSN and start (stream timeline), for renditions following this one. */
  get openSegment(): { msn: number; startMs: number } | undefined {
    return this.session?.segmenter.openSegmentStart;
  }

  /** The open segment's MSN and its closed parts; undefined between sessions. */
  get progress(): { msn: number; parts: number } | undefined {
    return this.session?.segmenter.progress;
  }

  /**
   * The part this rendition will produce next: the open segment's next index, else part 0 of the segment the
   * segmenter opens next. A segment is opened by the frame that closes the previous one, so right after a
   * boundary this is part 0 of the new segment, never of the one after it.
   */
  get nextPart(): PartRef {
    return this.upcoming;
  }

  /**
   * The part to name in EXT-X-PRELOAD-HINT: the next part, also between publisher sessions. Dropping the hint
   * between sessions (its number may go to EXT-X-GAP segments) made hls.js 1.7.4 fail the next playlist with a
   * "media sequence mismatch" at the first GAP segment (test/hls/hls-browser.test.ts); kept, a player that
   * already asked for the hinted part of a segment that became a gap gets a 404 (Shaka 5.2 treats it as fatal).
   */
  get hintedPart(): PartRef | undefined {
    return this.upcoming;
  }

  private get upcoming(): PartRef {
    const progress = this.progress;
    return progress ? { msn: progress.msn, index: progress.parts } : { msn: this.session?.segmenter.nextMsn ?? this.nextMsnValue, index: 0 };
  }

  /** dts of the newest frame packaged (stream timeline). */
  get lastFrameMs(): number | undefined {
    return this.lastFrame;
  }

  /** The live session's tracks and id; undefined between sessions. */
  get liveSession(): HlsSession | undefined {
    return this.session?.info;
  }

  init(initId: number): Buffer | undefined {
    return this.inits.get(initId)?.data;
  }

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
    if (!s.anchorFixed) {
      s.anchor = Math.min(s.anchor, this.options.now() - p.dts);
      if (s.segmenter.opensSegment(track, p.keyframe)) this.fixTimeline(s, p.dts);
    } else if (s.anchorRefining) {
      s.anchor = Math.min(s.anchor, this.options.now() - p.dts);
    }
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

  /**
   * Continue another packager's playlist (resume.ts) instead of starting one: before any media, the first
   * segment takes `point.nextMsn` and an EXT-X-DISCONTINUITY, and the discontinuity sequence goes on from there.
   */
  resume(point: ResumePoint): void {
    if (this.session || this.nextMsnValue !== FIRST_MSN || this.mediaWindow.segments.length > 0 || this.endedFlag) {
      throw new Error('resume() after media was packaged');
    }
    if (point.nextMsn !== undefined) this.nextMsnValue = point.nextMsn;
    this.mediaWindow.continueDiscontinuities(point.discontinuitySequence);
    this.pendingDiscontinuity = true;
    this.resumedAfterPdt = point.lastEndPdt;
    this.resumedTrackEnds = point.trackEnds;
  }

  /** ENDLIST: nothing more is packaged. */
  end(): void {
    if (this.endedFlag) return;
    if (this.session) this.endSession();
    this.endedFlag = true;
    this.listener.changed();
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
    // Only the very first segment may take the source's MSN: a jump later would break the numbering (a resumed
    // rendition without its own nextMsn is still fresh: it follows the source, which resumed too).
    const fresh = this.nextMsnValue === FIRST_MSN && this.mediaWindow.segments.length === 0;
    const segmenter = new Segmenter(tracks, {
      segmentMs: this.options.settings.segmentMs, partMs: this.options.settings.partMs,
      ...(this.partTarget ? { partCeilingMs: () => this.partTarget!.ceilingMs } : {}),
      firstMsn: this.nextMsnValue, firstFragmentSeq: this.fragmentSeq,
      ...(align ? { follow: {
        cutAt: (t: number) => align.cutAt(t), ...(fresh ? { msnAt: (t: number) => align.msnAt?.(t) } : {}),
        ...(align.sourceSegment ? { leaderMsnAt: (t: number) => align.msnAt?.(t) } : {}),
      } } : {}),
    });
    this.session = {
      info: { id: ++this.sessionSeq, tracks }, segmenter, initId, discontinuity: this.pendingDiscontinuity,
      firstMsn: this.nextMsnValue, anchor: Infinity, anchorFixed: false, anchorRefining: false, openTags: undefined,
    };
    this.pendingDiscontinuity = false;
  }

  /**
   * At the session's first segment: its date, and, after a publisher absence, the EXT-X-GAP segments that
   * stand for it (absence-gaps.ts), numbered before the session's first segment.
   */
  private fixTimeline(s: LiveSession, firstMs: number): void {
    s.anchorFixed = true;
    const last = this.mediaWindow.segments[this.mediaWindow.segments.length - 1];
    // A resumed playlist (resume()) goes on from another packager's last segment, which is not in this window.
    const resumedAfter = this.resumedAfterPdt;
    const resumedEnds = this.resumedTrackEnds;
    this.resumedAfterPdt = undefined;
    this.resumedTrackEnds = undefined;
    if (!s.discontinuity || (!last && resumedAfter === undefined)) {
      s.anchorRefining = true;
      return;
    }
    if (!last && this.sourceGaps(s, firstMs)) return;
    let pdt = last ? last.programDateTime + last.durationMs : resumedAfter!;
    const plan = planAbsence(pdt, Math.round(s.anchor + firstMs), this.options.settings.segmentMs, MAX_ABSENCE_GAPS);
    // Gaps after a resume stand just before the new session's first frame on its timeline (nothing of the old one is here).
    let startMs = last ? last.startMs + last.durationMs : firstMs - plan.gapsMs.reduce((a, b) => a + b, 0);
    const tags = last ? { initId: last.initId, session: last.session } : { initId: s.initId, session: s.info };
    // Resumed with no gap to stand for the MSN the other packager may have had open (its parts listed to players, in
    // the old discontinuity): that MSN is skipped, not reused for new media in the next discontinuity (hls.js: fatal
    // "discontinuity sequence mismatch" for the same MSN). The new playlist starts one further on.
    const skipped = !last && plan.gapsMs.length === 0 ? 1 : 0;
    s.segmenter.reserveMsns(plan.gapsMs.length + skipped);
    s.firstMsn += skipped;
    // The gaps stand before the EXT-X-DISCONTINUITY: their fragments continue the timeline of the media before them,
    // also the other packager's (without its track ends, an older version's position: their own startMs).
    const ends = last ? trackEnds(last) : resumedEnds;
    let elapsed = 0;
    for (const ms of plan.gapsMs) {
      const gapDts = ends && gapDtsAfter(ends, tags.session.tracks, elapsed);
      this.mediaWindow.addGap(s.firstMsn++, startMs, ms, { discontinuity: false, programDateTime: pdt, ...tags }, gapDts);
      startMs += ms;
      pdt += ms;
      elapsed += ms;
    }
    s.anchor = plan.firstPdt - firstMs;
    if (plan.gapsMs.length) this.listener.changed();
  }

  /**
   * A resumed ABR rendition (its source resumed too): the MSNs from the resume point to the source segment its first
   * media falls in become EXT-X-GAP segments with the source's dates and durations (the source's gaps for the
   * absence, and any source media from before this rendition's first frame), so MSN N stays the same time span in
   * every variant and the numbering has no hole. False when the source cannot tell (no offset yet, a segment no
   * longer in its window): then the rendition plans its absence on its own (own numbers after the resume point).
   */
  private sourceGaps(s: LiveSession, firstMs: number): boolean {
    const align = this.options.align;
    const first = align?.msnAt?.(firstMs);
    if (!align?.sourceSegment || first === undefined || first < s.firstMsn) return false;
    const spans: { programDateTime: number; durationMs: number }[] = [];
    // MSNs the source skipped at its start (no gap stood for the one the other packager may have had open) are skipped too.
    let skipped = 0;
    for (let msn = s.firstMsn; msn < first; msn++) {
      const span = align.sourceSegment(msn);
      if (!span && spans.length === 0) skipped++;
      else if (!span) return false;
      else spans.push(span);
    }
    s.firstMsn += skipped;
    const firstPdt = align.sourceSegment(first)?.programDateTime ?? align.pdtAt(firstMs);
    let startMs = firstMs - spans.reduce((n, g) => n + g.durationMs, 0);
    s.segmenter.reserveMsns(skipped + spans.length);
    for (const g of spans) {
      this.mediaWindow.addGap(s.firstMsn++, startMs, g.durationMs, { discontinuity: false, programDateTime: g.programDateTime, initId: s.initId, session: s.info });
      startMs += g.durationMs;
    }
    if (firstPdt !== undefined) s.anchor = firstPdt - firstMs;
    else s.anchorRefining = true;
    if (spans.length) this.listener.changed();
    return true;
  }

  /**
   * Source MSNs whose media this rendition never got (a transcoder restart resumes at the source's latest keyframe):
   * EXT-X-GAP segments with the source's dates and durations, so the numbering goes on with the source's. A span the
   * source no longer lists is dated on from the previous one, with no duration.
   */
  private fillSkipped(s: LiveSession, fromMsn: number, toMsn: number, atMs: number): void {
    const last = this.mediaWindow.segments[this.mediaWindow.segments.length - 1];
    let pdt = last ? last.programDateTime + last.durationMs : Math.round(s.anchor + atMs);
    for (let msn = fromMsn; msn < toMsn; msn++) {
      const span = this.options.align?.sourceSegment?.(msn);
      const durationMs = span?.durationMs ?? 0;
      pdt = span?.programDateTime ?? pdt;
      this.mediaWindow.addGap(msn, atMs, durationMs, { discontinuity: false, programDateTime: pdt, initId: s.initId, session: s.info });
      pdt += durationMs;
    }
    this.listener.changed();
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
        s.anchorRefining = false;
        if (e.part.index === 0) {
          s.openTags = {
            discontinuity: s.discontinuity && e.part.msn === s.firstMsn, initId: s.initId,
            programDateTime: this.options.align?.pdtAt(e.part.startMs) ?? Math.round(s.anchor + e.part.startMs), session: s.info,
          };
        }
        this.partTarget?.observe(e.part.durationMs);
        this.mediaWindow.addPart(e.part, s.openTags!);
      } else if (e.type === 'skip') {
        this.fillSkipped(s, e.fromMsn, e.toMsn, e.atMs);
      } else {
        const ws = this.mediaWindow.addSegment(e.segment, s.openTags!);
        this.targetDurationValue = Math.max(this.targetDurationValue, Math.round(e.segment.durationMs / 1000));
        this.listener.segmentAdded(ws);
        this.pruneInits();
      }
    }
    this.listener.changed();
  }

  private pruneInits(): void {
    const used = this.mediaWindow.initIdsInUse();
    if (this.session) used.add(this.session.initId);
    for (const id of this.inits.keys()) if (!used.has(id)) this.inits.delete(id);
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
