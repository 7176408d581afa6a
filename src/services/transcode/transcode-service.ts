import { cpus } from 'node:os';
import type { Logger } from '../../core/logger.js';
import { TypedEmitter } from '../../core/typed-emitter.js';
import type { StreamEventInfo, StreamHub } from '../../hub/index.js';
import { INTERNAL_PROTOCOLS } from '../streams/hub-lifecycle-link.js';
import type { LadderSetting } from '../streams/stream-types.js';
import { admit, ladderCost } from './admission.js';
import type { EncoderPreset } from './ffmpeg-args.js';
import type { FfmpegDiscovery } from './ffmpeg-discovery.js';
import { ladderKind, planLadder, renditionOf } from './ladder.js';
import { AUTO_BUDGET_MPX_PER_CORE } from './limits.js';
import { TRANSCODABLE_VIDEO, sourceInfoOf, type SourceInfo } from './source-info.js';
import { TranscodeSession } from './transcode-session.js';
import type { TranscodePipes } from './transcode-pipes.js';
import type { RenditionInfo, TranscodeEvents, TranscodeReason, TranscodeStatus } from './types.js';

export interface TranscodeServiceDeps {
  readonly hub: StreamHub;
  readonly log: Logger;
  readonly pipes: TranscodePipes;
  readonly ffmpeg: FfmpegDiscovery;
  /** The ladder of a source path and its API stream id; undefined = not a stream to transcode. */
  readonly ladderOf: (streamPath: string) => Promise<{ ladder: LadderSetting; streamId?: string } | undefined>;
  readonly encoder: EncoderPreset;
  /** Streams transcoded at once (config.maxTranscodes). */
  readonly maxTranscodes: number;
  /** Encode budget in Mpx/s over all sessions (config.transcodeBudgetMpx); 0 = per-core auto. */
  readonly budgetMpx: number;
}

interface Entry {
  readonly publisherId: number;
  readonly startedAt: number;
  readonly ladder: 'passthrough' | 'default' | 'custom';
  source: SourceInfo | undefined;
  session: TranscodeSession | undefined;
  reason: TranscodeReason | null;
  detail: string | null;
  dropped: string[];
  lastRenditions: string;
}

/**
 * Adaptive-bitrate policy: when a source goes active, reads its ladder, checks ffmpeg and the CPU budget,
 * and runs one TranscodeSession; stops it when the source unpublishes (renditions end with it, and come
 * back when a reconnecting source goes active again). Rendition streams themselves are never transcoded.
 */
export class TranscodeService {
  readonly events: TypedEmitter<TranscodeEvents>;
  private readonly entries = new Map<string, Entry>();
  private readonly offs: (() => void)[];
  private readonly budget: number;
  private closed = false;

  constructor(private readonly deps: TranscodeServiceDeps) {
    this.events = new TypedEmitter((err, event) => deps.log.error({ err, event }, 'transcode event listener threw'));
    this.budget = (deps.budgetMpx || AUTO_BUDGET_MPX_PER_CORE * cpus().length) * 1e6;
    // A configured ffmpeg that did not answer is replaced by the next one found: the operator must hear of it.
    if (deps.ffmpeg.found && deps.ffmpeg.skipped.length > 0) deps.log.warn({ skipped: deps.ffmpeg.skipped, using: deps.ffmpeg.path }, 'ffmpeg: earlier candidates failed; using the next one found');
    if (deps.ffmpeg.found) deps.log.info({ ffmpeg: deps.ffmpeg.path, version: deps.ffmpeg.version, from: deps.ffmpeg.from }, 'ffmpeg for transcoding');
    else deps.log.warn({ tried: deps.ffmpeg.tried }, 'ffmpeg not found: streams with a transcoding ladder play passthrough (set FFMPEG_PATH)');
    this.offs = [
      deps.hub.events.on('active', (e) => void this.onActive(e).catch((err) => deps.log.error({ err, path: e.path }, 'transcode start failed'))),
      deps.hub.events.on('unpublish', (e) => this.onUnpublish(e.path, e.publisherId)),
    ];
  }

  /** The renditions of `streamPath` for a master playlist: the source first, then each live rung. */
  renditions(streamPath: string): RenditionInfo[] {
    const e = this.entries.get(streamPath);
    if (!e?.source) return [];
    const src = e.source;
    const audio = src.audioCodec ? (src.audioBitrate ?? 128_000) : 0;
    const out: RenditionInfo[] = [{
      name: 'source', path: streamPath, width: src.width, height: src.height, fps: src.fps,
      videoBitrate: src.videoBitrate ?? this.measuredVideoBitrate(streamPath, e, audio), audioBitrate: audio, source: true,
    }];
    for (const r of e.session?.liveRungs ?? []) out.push(renditionOf(streamPath, r, src.audioCodec !== undefined));
    return out;
  }

  /**
   * Whether rendition `name` of `streamPath` is still to come: true while its rung is planned and has no output yet
   * (ffmpeg starting, or restarting after a crash), false when it will not come (no such rung, passthrough, refused)
   * or its transcoder failed (ffmpeg keeps exiting: crash_loop; it is still retried, but a player should not wait
   * for it), undefined while the stream's ladder is not decided (before its first keyframe and the ladder's lookup).
   */
  renditionPending(streamPath: string, name: string): boolean | undefined {
    const e = this.entries.get(streamPath);
    if (!e) return undefined;
    const s = e.session;
    if (s === undefined || s.state === 'passthrough' || s.reason === 'crash_loop') return false;
    return s.activeRungs.some((r) => r.name === name) && !s.liveRungs.some((r) => r.name === name);
  }

  status(streamPath: string): TranscodeStatus | undefined {
    const e = this.entries.get(streamPath);
    if (!e) return undefined;
    const s = e.session;
    return {
      state: s ? s.state : 'passthrough',
      ladder: e.ladder,
      reason: s?.reason ?? e.reason,
      detail: s?.detail ?? e.detail,
      droppedRungs: [...e.dropped, ...(s?.dropped ?? [])],
      renditions: this.renditions(streamPath),
      speed: s?.speed ?? null,
      restarts: s?.restarts ?? 0,
    };
  }

  /**
   * For a rendition's hub path (`<sourcePath>/<name>`): its source path and `source dts - rendition dts`
   * of the current ffmpeg run (approximate, see TranscodeSession.timelineOffset), for HLS PDT alignment.
   */
  timeline(renditionPath: string): { sourcePath: string; offsetMs: number | undefined } | undefined {
    const slash = renditionPath.lastIndexOf('/');
    if (slash < 0) return undefined;
    const sourcePath = renditionPath.slice(0, slash);
    const name = renditionPath.slice(slash + 1);
    const session = this.entries.get(sourcePath)?.session;
    if (!session?.activeRungs.some((r) => r.name === name)) return undefined;
    return { sourcePath, offsetMs: session.timelineOffset(name) };
  }

  /** The ffmpeg pid of a stream's session (tests, diagnostics). */
  pidOf(streamPath: string): number | undefined {
    return this.entries.get(streamPath)?.session?.pid;
  }

  /** Test hook: SIGKILL a stream's ffmpeg, as a crash would. */
  killForTest(streamPath: string): void {
    this.entries.get(streamPath)?.session?.killForTest();
  }

  /** Stops every session; resolves when every ffmpeg has exited. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.offs.forEach((off) => off());
    const stops = [...this.entries.values()].map((e) => e.session?.stop('server shutting down'));
    this.entries.clear();
    await Promise.all(stops);
  }

  private async onActive(ev: StreamEventInfo): Promise<void> {
    // Renditions, and edge pulls (an edge relays the source; the owner transcodes).
    if (this.closed || INTERNAL_PROTOCOLS.has(ev.publisher.protocol)) return;
    const choice = await this.deps.ladderOf(ev.path);
    const stream = this.deps.hub.stream(ev.path);
    if (this.closed || !choice || stream?.publisher?.id !== ev.publisherId) return; // gone while we looked
    const ladder = ladderKind(choice.ladder);
    const entry: Entry = {
      publisherId: ev.publisherId, startedAt: Date.now(), ladder, source: sourceInfoOf(stream), session: undefined,
      reason: null, detail: null, dropped: [], lastRenditions: '',
    };
    this.entries.set(ev.path, entry);
    const log = this.deps.log.child({ path: ev.path, ...(choice.streamId ? { streamId: choice.streamId } : {}) });
    const src = entry.source!;
    const planned = ladder === 'passthrough' ? [] : planLadder(choice.ladder, src);
    const refuse = (reason: TranscodeReason, detail: string, dropped: string[] = planned.map((r) => r.name)) => {
      entry.reason = reason;
      entry.detail = detail;
      entry.dropped = dropped;
      log.warn({ reason, detail }, 'transcoding off for this stream: playing the source only');
    };
    if (ladder === 'passthrough') {
      // Nothing to do.
    } else if (!this.deps.ffmpeg.found) {
      refuse('ffmpeg_not_found', `no ffmpeg: ${this.deps.ffmpeg.tried.join('; ')}`);
    } else if (!src.videoCodec || !TRANSCODABLE_VIDEO.has(src.videoCodec) || src.height === 0) {
      refuse('source_unsupported', `video ${src.videoCodec ?? 'none'} ${src.width}x${src.height} cannot be transcoded`);
    } else if (planned.length === 0) {
      // The source is at or below every rung: it is the whole ladder.
    } else if (this.runningSessions() >= this.deps.maxTranscodes) {
      refuse('max_transcodes', `${this.deps.maxTranscodes} streams are already transcoding`);
    } else {
      const { kept, dropped } = admit(src, planned, this.budget - this.usedBudget());
      if (dropped.length > 0) {
        entry.reason = 'cpu_budget';
        entry.detail = `estimated cost over the encode budget of ${Math.round(this.budget / 1e6)} Mpx/s`;
        entry.dropped = dropped;
        log.warn({ dropped, detail: entry.detail }, 'transcode admission: rungs left out');
      }
      if (kept.length > 0) {
        entry.session = new TranscodeSession({
          hub: this.deps.hub, pipes: this.deps.pipes, ffmpegPath: this.deps.ffmpeg.path, encoder: this.deps.encoder, log,
          sourcePath: ev.path, streamId: choice.streamId, source: src, rungs: kept, onChange: () => this.changed(ev.path),
        });
        entry.session.start();
      }
    }
    this.changed(ev.path);
  }

  private onUnpublish(path: string, publisherId: number): void {
    const e = this.entries.get(path);
    if (!e || e.publisherId !== publisherId) return;
    this.entries.delete(path);
    void e.session?.stop('source unpublished');
    this.changed(path);
  }

  private runningSessions(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.session && e.session.state !== 'passthrough') n++;
    return n;
  }

  private usedBudget(): number {
    let used = 0;
    for (const e of this.entries.values()) if (e.session && e.source) used += ladderCost(e.source, e.session.activeRungs);
    return used;
  }

  private measuredVideoBitrate(path: string, e: Entry, audio: number): number {
    const bytes = this.deps.hub.stream(path)?.publisher?.bytesIn ?? 0;
    const sec = Math.max(1, (Date.now() - e.startedAt) / 1000);
    return Math.max(0, Math.round((bytes * 8) / sec - audio));
  }

  private changed(path: string): void {
    const renditions = this.renditions(path);
    const key = renditions.map((r) => r.name).join(',');
    const e = this.entries.get(path);
    if (!e || e.lastRenditions !== key) {
      if (e) e.lastRenditions = key;
      this.events.emit('renditions', { streamPath: path, renditions });
    }
    this.events.emit('status', { streamPath: path, status: this.status(path) });
  }
}
