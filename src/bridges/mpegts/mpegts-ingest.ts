import { describeConfig, type TrackInfo } from '../../codecs/index.js';
import type { Logger } from '../../core/logger.js';
import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { TsDemuxer, type TsDemuxEvent, type TsDemuxerStats, type TsTrack } from '../../formats/mpegts/index.js';
import type { Publisher } from '../../hub/index.js';
import { ThrottledErrorLog } from './error-log.js';
import { INGEST_TIMELINE_MARGIN_MS } from './limits.js';
import { StartGate } from './start-gate.js';
import { sameMetadata, tsStreamMetadata } from './ts-metadata.js';

export interface MpegTsIngest {
  /** Bytes of the transport stream in any split (SRT payloads). Ignored after close; never throws. */
  push(bytes: Buffer): void;
  /** Ends the input: the last frame still held is published, then the publisher closes with `reason`. Idempotent. */
  close(reason: string): void;
  readonly stats: { packets: number; ccErrors: number; resyncs: number; droppedBytes: number };
}

const TICKS_PER_MS = 90;

/**
 * MPEG-TS -> hub, for SRT (and any TS source): the demuxer's tracks, configs and frames become the same
 * MediaPackets the RTMP ingest publishes (avcC/hvcC, AudioSpecificConfig, OpusHead configs before frames;
 * AVCC frames with 4-byte lengths; raw AAC; ms timestamps with the composition offset in cts), and the PMT
 * and configs become onMetaData-style stream metadata, so every output works unchanged for a TS stream.
 */
class TsIngest implements MpegTsIngest {
  private readonly demuxer = new TsDemuxer();
  private readonly errors: ThrottledErrorLog;
  private readonly gate = new StartGate();
  private tracks: readonly TsTrack[] = [];
  private readonly infos = new Map<number, TrackInfo>();
  private metadata: StreamMetadata | undefined;
  /** 90 kHz time of the ms timeline's zero, set by the first timestamp seen. */
  private origin: number | undefined;
  private lastMs = 0;
  private closed = false;

  constructor(private readonly publisher: Publisher, private readonly log: Logger) {
    this.errors = new ThrottledErrorLog(log, 'MPEG-TS ingest');
  }

  get stats(): TsDemuxerStats {
    return this.demuxer.stats;
  }

  push(bytes: Buffer): void {
    if (this.closed) return;
    this.handle(this.demuxer.push(bytes));
  }

  close(reason: string): void {
    if (this.closed) return;
    this.handle(this.demuxer.flush());
    this.publishAll(this.gate.release());
    this.closed = true;
    this.errors.flush();
    this.log.info({ reason, stats: this.demuxer.stats }, 'MPEG-TS ingest closed');
    this.publisher.close(reason);
  }

  private handle(events: readonly TsDemuxEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      switch (e.type) {
        case 'frame': {
          const dts = this.toMs(e.dts);
          const audio = e.track.kind === 'audio';
          const frame = { kind: e.track.kind, codec: e.track.codec, role: 'frame', dts, cts: audio ? 0 : this.toMs(e.pts) - dts, keyframe: audio || e.keyframe, data: e.data } as const;
          if (e.track.codec === '.mp3' && !this.infos.has(e.track.pid)) {
            // MP3 has no config: its first frame tells rate and channels, and makes the track ready.
            this.describe(e.track, e.data, 'frame');
            this.publishAll(this.gate.ready(e.track.pid));
          }
          this.publishAll(this.gate.pass(frame));
          break;
        }
        case 'config':
          this.describe(e.track, e.config, 'config');
          this.publisher.push({ kind: e.track.kind, codec: e.track.codec, role: 'config', dts: e.dts === undefined ? this.lastMs : this.toMs(e.dts), cts: 0, keyframe: false, data: e.config });
          this.publishAll(this.gate.ready(e.track.pid));
          break;
        case 'tracks':
          this.onTracks(e.tracks, e.skipped);
          break;
        case 'error':
          this.errors.report(e.error, e.pid);
          break;
      }
    }
  }

  private publishAll(packets: readonly MediaPacket[]): void {
    for (let i = 0; i < packets.length; i++) this.publisher.push(packets[i]!);
  }

  /** 90 kHz (unwrapped) -> integer ms on this ingest's timeline, as RTMP timestamps are. */
  private toMs(t90: number): number {
    this.origin ??= t90 - INGEST_TIMELINE_MARGIN_MS * TICKS_PER_MS;
    this.lastMs = Math.round((t90 - this.origin) / TICKS_PER_MS);
    return this.lastMs;
  }

  private onTracks(tracks: readonly TsTrack[], skipped: readonly { pid: number; streamType: number }[]): void {
    this.tracks = tracks;
    this.gate.expect(tracks.map((t) => t.pid));
    for (const pid of [...this.infos.keys()]) if (!tracks.some((t) => t.pid === pid)) this.infos.delete(pid);
    this.log.info({ tracks: tracks.map((t) => ({ pid: t.pid, codec: t.codec })), skipped }, 'MPEG-TS program');
    this.updateMetadata();
  }

  private describe(track: TsTrack, data: Buffer, role: 'config' | 'frame'): void {
    try {
      this.infos.set(track.pid, describeConfig({ kind: track.kind, codec: track.codec, role, dts: 0, cts: 0, keyframe: false, data }));
    } catch {
      return; // the demuxer built this config; an SPS it accepted but describeConfig cannot read leaves the size unknown
    }
    this.updateMetadata();
  }

  private updateMetadata(): void {
    const m = tsStreamMetadata(this.tracks, this.infos);
    if (sameMetadata(this.metadata, m) || this.publisher.isClosed) return;
    this.metadata = m;
    this.publisher.setMetadata(m);
  }
}

/** The ingest for one publisher; `log` should be the connection's child logger. */
export function createMpegTsIngest(publisher: Publisher, log: Logger): MpegTsIngest {
  return new TsIngest(publisher, log);
}
