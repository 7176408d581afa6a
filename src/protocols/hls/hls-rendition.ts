import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import type { RenditionReport } from '../../formats/m3u8/index.js';
import type { ReloadRequest, Timers } from './blocking-reload.js';
import type { HlsTrack } from './hls-tracks.js';
import { MediaWindow } from './media-window.js';
import type { HlsUriScheme } from './playlist-builder.js';
import type { RenditionAligner } from './rendition-alignment.js';
import { RenditionIngest } from './rendition-ingest.js';
import { type PlaylistAnswer, RenditionOutput } from './rendition-output.js';
import type { RenditionSettings } from './rendition-settings.js';

export type { PlaylistAnswer } from './rendition-output.js';

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
}

/**
 * One rendition of one stream (the passthrough source, or an ABR rendition's): publisher sessions in,
 * a bounded window of fMP4 parts/segments out, shared by every viewer. Two halves over one MediaWindow:
 * RenditionIngest (frames in, segments out) and RenditionOutput (playlists, blocking reload, media and
 * MPEG-TS copies); this class is their one face for the packager, the HTTP layer and ABR alignment.
 */
export class HlsRendition {
  private readonly mediaWindow: MediaWindow;
  private readonly ingest: RenditionIngest;
  private readonly output: RenditionOutput;

  constructor(
    readonly id: string,
    options: RenditionOptions,
  ) {
    this.mediaWindow = new MediaWindow(options.settings.windowSegments);
    const warn = options.warn ? { warn: options.warn } : {};
    this.ingest = new RenditionIngest(this.mediaWindow, {
      settings: options.settings, now: options.now ?? Date.now, ...warn, ...(options.align ? { align: options.align } : {}),
    }, {
      segmentAdded: (seg) => this.output.segmentAdded(seg),
      changed: () => this.output.changed(),
    });
    this.output = new RenditionOutput(this.mediaWindow, this.ingest, {
      settings: options.settings, ...warn, ...(options.timers ? { timers: options.timers } : {}),
    });
  }

  // ---- state ----

  get ended(): boolean {
    return this.ingest.ended;
  }

  get targetDuration(): number {
    return this.ingest.targetDuration;
  }

  get partTargetSec(): number | undefined {
    return this.output.partTargetSec;
  }

  get tracks(): readonly HlsTrack[] {
    return this.output.tracks;
  }

  get hasSegments(): boolean {
    return this.output.hasSegments;
  }

  get peakBandwidth(): number {
    return this.output.peakBandwidth;
  }

  get averageBandwidth(): number {
    return this.output.averageBandwidth;
  }

  get anchor(): number | undefined {
    return this.ingest.anchor;
  }

  get openSegment(): { msn: number; startMs: number } | undefined {
    return this.ingest.openSegment;
  }

  get lastPart(): { lastMsn: number; lastPart: number } | undefined {
    return this.output.lastPart;
  }

  get lastFrameMs(): number | undefined {
    return this.ingest.lastFrameMs;
  }

  /** Bytes held (window plus open parts), for stats and memory checks. */
  get bytes(): number {
    return this.mediaWindow.totalBytes;
  }

  /** The window, read-only, for stats, tests and ABR alignment. */
  window(): Pick<MediaWindow, 'segments' | 'current' | 'lastCompleteMsn' | 'discontinuitySequence'> {
    return this.mediaWindow;
  }

  // ---- ingest side ----

  metadata(m: StreamMetadata): void {
    this.ingest.metadata(m);
  }

  packet(p: MediaPacket): void {
    this.ingest.packet(p);
  }

  publisherStart(): void {
    this.ingest.publisherStart();
  }

  publisherEnd(): void {
    this.ingest.publisherEnd();
  }

  /** ENDLIST: answers every parked request. */
  end(): void {
    this.ingest.end();
  }

  close(): void {
    this.ingest.end();
    this.output.close();
  }

  // ---- serving side ----

  waitFirstSegment(timeoutMs: number): Promise<boolean> {
    return this.output.waitFirstSegment(timeoutMs);
  }

  playlist(format: 'fmp4' | 'ts', req: ReloadRequest, uris: HlsUriScheme, reports?: () => RenditionReport[]): Promise<PlaylistAnswer> {
    return this.output.playlist(format, req, uris, reports);
  }

  init(initId: number): Buffer | undefined {
    return this.output.init(initId);
  }

  segment(msn: number): readonly Buffer[] | undefined {
    return this.output.segment(msn);
  }

  part(msn: number, index: number): readonly Buffer[] | undefined {
    return this.output.part(msn, index);
  }

  awaitPart(msn: number, index: number): Promise<readonly Buffer[] | undefined> {
    return this.output.awaitPart(msn, index);
  }

  tsSegment(msn: number): Buffer | undefined {
    return this.output.tsSegment(msn);
  }
}
