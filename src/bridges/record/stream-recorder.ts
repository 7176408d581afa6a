import type { Logger } from '../../core/logger.js';
import type { TrackInfo } from '../../codecs/index.js';
import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { buildInitSegment, mehdDurationOffset } from '../../formats/fmp4/index.js';
import { renderMediaPlaylist } from '../../formats/m3u8/index.js';
import type { StreamHub, Subscription, SubscriberSink } from '../../hub/index.js';
import { type HlsPart, type HlsTrack, Segmenter, type SegmenterEvent, type Timers, TrackSelector, sameTrack } from '../../protocols/hls/index.js';
import {
  MAX_WRITE_QUEUE_BYTES, RECORD_FRAGMENT_MS, RECORD_LATENCY_TOLERANCE_MS, RECORD_SEGMENT_MS, RESUME_QUEUE_FRACTION,
} from './limits.js';
import { JOURNAL_FILE, MEDIA_FILE, type OpenFile, finishRecordingFile, openFile, openInDir } from './recording-files.js';
import { RecordingFile } from './recording-file.js';
import { type FragmentEntry, RecordingIndex } from './recording-index.js';
import { journalHeader, journalLine } from './recording-journal.js';

/** A recorded track as the asset lists it: what the codec configuration says, without its bytes. */
export type RecordedTrack = Omit<TrackInfo, 'config' | 'profile' | 'level'>;

export interface RecordingResult {
  /** Why it ended: publisher_left, tracks_changed, write_failed, or the reason given to stop(). */
  readonly reason: string;
  /** Media written, ms (a dropped stretch not counted). */
  readonly durationMs: number;
  /** Final file size. */
  readonly bytes: number;
  /** Stretches dropped because the disk could not keep up, and their total length. */
  readonly gaps: number;
  readonly gapMs: number;
  /** Set when the recording could not be written as asked (a write error, no media at all). */
  readonly error?: string;
}

export interface StreamRecorderOptions {
  /** The recording's own directory (created with its first frame). */
  readonly dir: string;
  /** A publisher back within this continues the recording (0 = ends with the publisher). */
  readonly reconnectWindowMs: number;
  readonly log: Logger;
  readonly onTracks?: (tracks: readonly RecordedTrack[]) => void;
  /** Called once, when the files are complete and closed. */
  readonly onFinished: (result: RecordingResult) => void;
  readonly openFile?: OpenFile;
  readonly maxQueueBytes?: number;
  readonly segmentMs?: number;
  readonly fragmentMs?: number;
  readonly timers?: Timers;
}

interface Session {
  readonly segmenter: Segmenter;
  /** Where each track of the previous sessions ended (ms): this session's media starts at or after it. */
  readonly floorMs: ReadonlyMap<'video' | 'audio', number>;
}

/** What the recording writes to, from its first frame on. */
interface Output {
  readonly file: RecordingFile;
  readonly journal: RecordingFile;
  readonly index: RecordingIndex;
  readonly mehdOffset: number | undefined;
}

/**
 * Records one stream into a fragmented MP4 (init segment, then a moof + mdat about every second, each
 * written as soon as it closes, so the file is playable at every moment and a crash loses at most the
 * fragments not yet written) and a journal of its segments, from which the HLS playlist (EVENT while
 * recording, VOD after) addresses byte ranges of the same file. A hub subscriber that waits across
 * publisher reconnects: a publisher back within the reconnect window with the same tracks continues the
 * recording after a discontinuity; other tracks end it (`tracks_changed`: the owner starts a new one).
 * The recording's timeline starts at 0 and never goes back, also across reconnects.
 */
export class StreamRecorder implements SubscriberSink {
  readonly pendingBytes = 0; // the write queue is bounded here, not by the hub's budget (which would close us)
  readonly latencyToleranceMs = RECORD_LATENCY_TOLERANCE_MS;
  private readonly selector = new TrackSelector();
  private readonly timers: Timers;
  private subscription: Subscription | undefined;
  private tracks: readonly HlsTrack[] | undefined;
  private out: Output | undefined;
  private session: Session | undefined;
  private sessions = 0;
  private nextFragmentSeq = 1;
  /** Added to the subscriber's dts so each session starts where the previous one ended. */
  private shiftMs = 0;
  private readonly trackEndMs = new Map<'video' | 'audio', number>();
  private discontinuityNext = false;
  private dropping = false;
  private gaps = 0;
  private gapMs = 0;
  private writeError: Error | undefined;
  private reconnectTimer: unknown;
  private finishing: Promise<RecordingResult> | undefined;

  constructor(private readonly options: StreamRecorderOptions) {
    this.timers = options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms).unref(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  }

  /** Subscribes to `path`; the GOP cache replay starts the recording at the latest keyframe. */
  start(hub: StreamHub, path: string): this {
    this.subscription = hub.subscribe(path, { protocol: 'record', remoteAddress: 'internal' }, this, { waitForPublisher: true });
    return this;
  }

  /** Media written so far, ms. */
  get durationMs(): number {
    return this.out?.index.durationMs ?? 0;
  }

  /** Bytes of the file that are written (a download or a byte range may read up to here). */
  get bytes(): number {
    return this.out?.index.bytes ?? 0;
  }

  /** Bytes waiting for the disk (bounded by maxQueueBytes plus one fragment). */
  get queuedBytes(): number {
    return this.out?.file.queuedBytes ?? 0;
  }

  get isFinishing(): boolean {
    return this.finishing !== undefined;
  }

  /** The EVENT playlist of what is written so far, or undefined before the first fragment. */
  playlist(mediaUri: string): string | undefined {
    return this.out ? renderMediaPlaylist(this.out.index.playlist(mediaUri, false)) : undefined;
  }

  /** Ends the recording (idempotent): the open fragment is written, the files completed and closed. */
  stop(reason: string): Promise<RecordingResult> {
    // Set before finishing starts: closing the subscription calls onClose -> stop again.
    this.finishing ??= Promise.resolve().then(() => this.finish(reason));
    return this.finishing;
  }

  // ---- hub side ----

  onMetadata(m: StreamMetadata): void {
    this.selector.metadata(m);
  }

  onPacket(p: MediaPacket, dts: number): void {
    if (this.finishing) return;
    try {
      this.packet(p, dts);
    } catch (err) {
      this.options.log.error({ err, dir: this.options.dir }, 'recorder failed on a packet');
      void this.stop('recorder_error');
    }
  }

  onPublisherStart(): void {
    if (this.finishing) return;
    if (this.reconnectTimer !== undefined) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.selector.reset();
  }

  onPublisherEnd(reason: string): void {
    if (this.finishing) return;
    this.endSession();
    this.selector.reset();
    const windowMs = this.options.reconnectWindowMs;
    this.options.log.debug({ dir: this.options.dir, reason, windowMs }, 'recorder: publisher left, reconnect window open');
    if (windowMs <= 0) void this.stop('publisher_left');
    else this.reconnectTimer = this.timers.setTimeout(() => void this.stop('publisher_left'), windowMs);
  }

  onClose(reason: string): void {
    void this.stop(reason);
  }

  // ---- media ----

  private packet(p: MediaPacket, dts: number): void {
    if (p.role === 'config') {
      // A new codec configuration mid-session: the next keyframe decides (same tracks continue, others end).
      if (this.selector.config(p) && this.session) this.endSession();
      return;
    }
    if (p.role !== 'frame') return;
    if (!this.session) {
      const sel = this.selector.select(p);
      if (sel.kind === 'wait') return;
      if (!this.startSession(sel.tracks, dts)) {
        void this.stop('tracks_changed');
        return;
      }
    }
    const track = this.trackOf(p);
    if (!track) return;
    const at = dts + this.shiftMs;
    const session = this.session!;
    // Never back on a track: audio stamped just before the keyframe that resumed a reconnect is left out.
    if (at < (session.floorMs.get(track.kind) ?? 0)) return;
    this.apply(session.segmenter.push(track, { dtsMs: at, ctsMs: p.cts, keyframe: p.keyframe, data: p.data }));
  }

  private trackOf(p: MediaPacket): HlsTrack | undefined {
    const tracks = this.tracks!;
    for (let i = 0; i < tracks.length; i++) if (tracks[i]!.kind === p.kind) return tracks[i]!.codec === p.codec ? tracks[i] : undefined;
    return undefined;
  }

  /** False when the session's tracks differ from the recording's (the file has one init segment). */
  private startSession(tracks: readonly HlsTrack[], dts: number): boolean {
    if (!this.tracks) {
      this.tracks = tracks;
      this.out = this.openOutput(tracks);
      this.options.onTracks?.(tracks.map(recordedTrack));
    } else if (tracks.length !== this.tracks.length || !tracks.every((t, i) => sameTrack(t, this.tracks![i]))) {
      return false;
    }
    let end = 0;
    for (const ms of this.trackEndMs.values()) end = Math.max(end, ms);
    if (dts + this.shiftMs < end) this.shiftMs = end - dts;
    const segmenter = new Segmenter(this.tracks, {
      segmentMs: this.options.segmentMs ?? RECORD_SEGMENT_MS, partMs: this.options.fragmentMs ?? RECORD_FRAGMENT_MS,
      firstMsn: 0, firstFragmentSeq: this.nextFragmentSeq,
    });
    this.session = { segmenter, floorMs: new Map(this.trackEndMs) };
    if (this.sessions++ > 0) this.discontinuityNext = true;
    return true;
  }

  private endSession(): void {
    const s = this.session;
    if (!s) return;
    this.apply(s.segmenter.flush());
    this.nextFragmentSeq = s.segmenter.nextFragmentSeq;
    this.session = undefined;
  }

  private openOutput(tracks: readonly HlsTrack[]): Output {
    const { dir } = this.options;
    const opener = this.options.openFile ?? openFile;
    const onError = (err: Error): void => {
      this.writeError ??= err;
      this.options.log.error({ err, dir }, 'recording write failed');
      void this.stop('write_failed');
    };
    const init = buildInitSegment(tracks.map((t) => t.fmp4), { fragmentDurationMs: 0 });
    const file = new RecordingFile(openInDir(dir, MEDIA_FILE, 'w', opener), 0, this.options.maxQueueBytes ?? MAX_WRITE_QUEUE_BYTES, onError);
    // The journal's lines are small and follow the media's own queue, so its cap only guards against a bug.
    const journal = new RecordingFile(openInDir(dir, JOURNAL_FILE, 'w', opener), 0, this.options.maxQueueBytes ?? MAX_WRITE_QUEUE_BYTES, onError);
    file.append([init]);
    journal.append([Buffer.from(journalHeader(init.length))]);
    return { file, journal, index: new RecordingIndex(init.length), mehdOffset: mehdDurationOffset(init) };
  }

  private apply(events: readonly SegmenterEvent[]): void {
    const out = this.out!;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.type === 'segment') {
        out.file.after(() => out.index.closeSegment());
        out.file.sync(); // a segment is on the disk, not only in the page cache, before the next one starts
      } else if (e.type === 'part') {
        this.noteTrackEnds(e.part);
        this.write(out, e.part);
      }
    }
  }

  private write(out: Output, part: HlsPart): void {
    const segmentStart = part.index === 0;
    if (this.dropping) {
      const resume = segmentStart && part.independent && out.file.queuedBytes <= (this.options.maxQueueBytes ?? MAX_WRITE_QUEUE_BYTES) * RESUME_QUEUE_FRACTION;
      if (!resume) {
        this.gapMs += part.durationMs;
        return;
      }
      this.dropping = false;
      this.discontinuityNext = true;
      this.options.log.info({ dir: this.options.dir, gapMs: this.gapMs }, 'recording resumed after a gap');
    }
    const entry: FragmentEntry = {
      offset: out.file.nextOffset, length: part.bytes, startMs: part.startMs, durationMs: part.durationMs, segmentStart,
      discontinuity: segmentStart && this.discontinuityNext,
      ...(segmentStart && part.independent ? { trafs: part.runs.map((r) => [r.track.fmp4.id, r.samples[0]!.dts + Math.max(0, r.samples[0]!.cts)] as const) } : {}),
    };
    const at = out.file.append(part.chunks, () => {
      out.index.add(entry);
      out.journal.append([Buffer.from(journalLine(entry))]);
    });
    if (at === undefined) {
      if (out.file.failed) return; // the error handler stops the recording
      this.dropping = true;
      this.gaps++;
      this.gapMs += part.durationMs;
      out.file.after(() => out.index.closeSegment());
      this.options.log.warn({ dir: this.options.dir, queuedBytes: out.file.queuedBytes }, 'recording: disk too slow, dropping to the next segment start');
      return;
    }
    if (segmentStart) this.discontinuityNext = false;
  }

  /** Where each track's media ends (ms), so a later session never starts before it. */
  private noteTrackEnds(part: HlsPart): void {
    for (const run of part.runs) {
      const last = run.samples[run.samples.length - 1]!;
      const endMs = Math.ceil(((last.dts + last.duration) * 1000) / run.track.fmp4.timescale);
      this.trackEndMs.set(run.track.kind, Math.max(this.trackEndMs.get(run.track.kind) ?? 0, endMs));
    }
  }

  private async finish(reason: string): Promise<RecordingResult> {
    if (this.reconnectTimer !== undefined) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    try {
      this.endSession();
    } catch (err) {
      this.options.log.error({ err }, 'recorder: flushing the last fragment failed');
    }
    this.subscription?.close('recording finished');
    const out = this.out;
    let result: RecordingResult;
    if (!out) {
      result = { reason, durationMs: 0, bytes: 0, gaps: 0, gapMs: 0, error: 'no media was recorded' };
    } else {
      await out.file.drain();
      await out.journal.drain();
      const failed = out.file.recover() ?? out.journal.recover() ?? this.writeError;
      await out.journal.close();
      const bytes = await finishRecordingFile(out.file, out.index, out.mehdOffset).catch(() => out.index.bytes);
      result = {
        reason: failed ? 'write_failed' : reason, durationMs: out.index.durationMs, bytes, gaps: this.gaps, gapMs: this.gapMs,
        ...(failed ? { error: `write failed: ${failed.message}` } : out.index.durationMs === 0 ? { error: 'no media was recorded' } : {}),
      };
    }
    this.options.onFinished(result);
    return result;
  }
}

function recordedTrack(t: HlsTrack): RecordedTrack {
  const { kind, codec, codecString, width, height, fps, sampleRate, channels } = t.info;
  return {
    kind, codec,
    ...(codecString ? { codecString } : {}), ...(width ? { width } : {}), ...(height ? { height } : {}), ...(fps ? { fps } : {}),
    ...(sampleRate ? { sampleRate } : {}), ...(channels ? { channels } : {}),
  };
}
