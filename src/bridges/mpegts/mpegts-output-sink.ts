import {
  adtsHeader, parseAudioSpecificConfig, parseMp3FrameHeader,
} from '../../codecs/index.js';
import { annexBConverter, type AnnexBConverter } from '../../codecs/annex-b-converter.js';
import { opusHeadChannels } from '../../codecs/opus/index.js';
import { OnAirError, isOnAirError } from '../../core/errors.js';
import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { TsMuxer, type TsAudioStreamType, type TsMuxerOptions, type TsVideoStreamType } from '../../formats/mpegts/index.js';
import type { SubscriberSink } from '../../hub/index.js';
import { OUTPUT_START_OFFSET_MS, TABLE_INTERVAL_MS } from './limits.js';

export interface MpegTsOutputSinkOptions {
  /** Bytes handed to `onData` and not yet sent (e.g. the SRT send buffer); the hub's byte budget watches it. */
  pendingBytes: () => number;
  /** The hub ended the subscription (slow subscriber, stream gone, shutdown): the owner should disconnect. */
  onClose?: (reason: string) => void;
}

export interface MpegTsOutputStats {
  bytesWritten: number;
  framesWritten: number;
  /** Frames not written: their codec has no MPEG-TS form here, their config was unusable, or before the start. */
  framesSkipped: number;
  /** PMT changes written (a track appeared or changed codec mid-stream). */
  reconfigurations: number;
}

export interface MpegTsOutputSink extends SubscriberSink {
  /** Stops writing (the owner's connection ended). Idempotent. */
  close(): void;
  readonly stats: MpegTsOutputStats;
}

interface VideoOut {
  readonly streamType: TsVideoStreamType;
  readonly toAnnexB: AnnexBConverter;
}

interface AudioOut {
  readonly streamType: TsAudioStreamType;
  readonly opusChannels?: number;
  readonly toEs: (frame: Buffer) => Buffer;
}

const TICKS_PER_MS = 90;
/** FLV SoundFormat 2 (MP3), the audiocodecid an encoder's onMetaData (or the TS ingest) gives MP3. */
const FLV_CODEC_MP3 = 2;

function mpegAudioOut(version: 1 | 2): AudioOut {
  return { streamType: version === 1 ? 0x03 : 0x04, toEs: (frame) => frame };
}

/**
 * Hub -> one continuous MPEG-TS byte stream (SRT playback): PAT/PMT before every keyframe and every
 * TABLE_INTERVAL_MS, PCR on the video PID, H.264/H.265 as Annex B with the parameter sets before each
 * keyframe, AAC as ADTS, MP3 as is, Opus with its control headers; built on TsMuxer, so continuity counters
 * run on across keyframes, publisher changes and PMT changes. Backpressure: `pendingBytes` is what the hub's
 * subscription budget watches; over budget the hub skips this subscriber to the next keyframe (counted in
 * its SubscriberStats), and the stream goes on from there with tables and parameter sets.
 */
class TsOutputSink implements MpegTsOutputSink {
  readonly stats: MpegTsOutputStats = { bytesWritten: 0, framesWritten: 0, framesSkipped: 0, reconfigurations: 0 };
  private video: VideoOut | undefined;
  private audio: AudioOut | undefined;
  private muxer: TsMuxer | undefined;
  /** What the muxer's PMT currently announces. */
  private muxed: TsMuxerOptions = {};
  private lastTablesMs = -Infinity;
  private closed = false;

  constructor(private readonly onData: (ts: Buffer) => void, private readonly opts: MpegTsOutputSinkOptions) {}

  get pendingBytes(): number {
    return this.opts.pendingBytes();
  }

  /**
   * MPEG-TS has no place for onMetaData (codecs and sizes travel in the elementary streams), but MP3 has no
   * config packet: the metadata's audiocodecid is how the PMT can announce it from the first keyframe on.
   */
  onMetadata(m: StreamMetadata): void {
    if (m.audiocodecid !== FLV_CODEC_MP3 || this.audio) return;
    const rate = typeof m.audiosamplerate === 'number' ? m.audiosamplerate : 44_100;
    this.audio = mpegAudioOut(rate >= 32_000 ? 1 : 2);
  }

  onPacket(p: MediaPacket, dts: number): void {
    if (this.closed) return;
    try {
      if (p.role === 'config') this.setConfig(p);
      else if (p.role === 'frame') this.writeFrame(p, dts);
    } catch (err) {
      // A config or frame this sink cannot carry (malformed, unsupported) skips that packet, never the stream.
      if (!isOnAirError(err)) throw err;
      if (p.role === 'config') this.forget(p.kind);
      this.stats.framesSkipped++;
    }
  }

  onPublisherEnd(_reason: string): void {}

  onPublisherStart(): void {
    // The new publisher's configs follow; until they do, the old tracks' forms are stale.
    this.video = undefined;
    this.audio = undefined;
  }

  onClose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.onClose?.(reason);
  }

  close(): void {
    this.closed = true;
  }

  private setConfig(p: MediaPacket): void {
    if (p.kind === 'video') {
      const streamType = p.codec === 'avc1' ? 0x1b : p.codec === 'hvc1' ? 0x24 : undefined;
      this.video = streamType ? { streamType, toAnnexB: annexBConverter(p.codec, p.data) } : undefined;
      return;
    }
    if (p.codec === 'mp4a') {
      const asc = parseAudioSpecificConfig(p.data);
      adtsHeader(asc, 0); // throws now if ADTS cannot carry this AAC (explicit rate, PCE layout)
      this.audio = { streamType: 0x0f, toEs: (frame) => Buffer.concat([adtsHeader(asc, frame.length), frame]) };
    } else if (p.codec === 'Opus') {
      const channels = opusHeadChannels(p.data);
      if (channels === undefined || channels > 8) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', 'OpusHead not carried in MPEG-TS');
      this.audio = { streamType: 0x06, opusChannels: channels, toEs: (frame) => frame };
    } else this.audio = undefined;
  }

  private forget(kind: 'video' | 'audio'): void {
    if (kind === 'video') this.video = undefined;
    else this.audio = undefined;
  }

  private writeFrame(p: MediaPacket, dts: number): void {
    if (p.kind === 'audio' && p.codec === '.mp3') {
      // MP3 has no config record: its frames say what they are (MPEG-1 or MPEG-2/2.5 audio).
      const version = parseMp3FrameHeader(p.data).version === 1 ? 1 : 2;
      if (this.audio?.streamType !== (version === 1 ? 0x03 : 0x04)) this.audio = mpegAudioOut(version);
    }
    const startsHere = p.kind === 'video' ? p.keyframe : !this.video;
    const muxer = this.muxerAt(startsHere);
    // Written only when the PMT announces this track in its current form.
    const writable = p.kind === 'video'
      ? this.video && this.muxed.video?.streamType === this.video.streamType
      : this.audio && this.muxed.audio?.streamType === this.audio.streamType && this.muxed.audio.opusChannels === this.audio.opusChannels;
    if (!muxer || !writable) {
      this.stats.framesSkipped++;
      return;
    }
    const ms = dts + OUTPUT_START_OFFSET_MS;
    if (startsHere || ms - this.lastTablesMs >= TABLE_INTERVAL_MS) {
      this.lastTablesMs = ms;
      this.emit(muxer.writeTables());
    }
    const t90 = ms * TICKS_PER_MS;
    const out = p.kind === 'video'
      ? muxer.writeVideo({ dts90k: t90, pts90k: t90 + p.cts * TICKS_PER_MS, keyframe: p.keyframe, data: this.video!.toAnnexB(p.data, p.keyframe) })
      : muxer.writeAudio({ pts90k: t90, data: this.audio!.toEs(p.data) });
    this.emit(out);
    this.stats.framesWritten++;
  }

  /**
   * The muxer for the current tracks. It is (re)built only where a decoder can start, a video keyframe (or
   * any audio frame of a stream without video): a PMT change mid-GOP would leave a receiver without a way in.
   */
  private muxerAt(startPoint: boolean): TsMuxer | undefined {
    const options: TsMuxerOptions = {
      ...(this.video ? { video: { streamType: this.video.streamType } } : {}),
      ...(this.audio ? { audio: { streamType: this.audio.streamType, opusChannels: this.audio.opusChannels } } : {}),
    };
    if (sameOptions(options, this.muxed) || !startPoint || (!options.video && !options.audio)) return this.muxer;
    if (this.muxer) {
      this.muxer.reconfigure(options);
      this.stats.reconfigurations++;
    } else this.muxer = new TsMuxer(options);
    this.muxed = options;
    this.lastTablesMs = -Infinity;
    return this.muxer;
  }

  private emit(ts: Buffer): void {
    this.stats.bytesWritten += ts.length;
    this.onData(ts);
  }
}

function sameOptions(a: TsMuxerOptions, b: TsMuxerOptions): boolean {
  return a.video?.streamType === b.video?.streamType && a.audio?.streamType === b.audio?.streamType
    && a.audio?.opusChannels === b.audio?.opusChannels;
}

/** The hub sink of one MPEG-TS output (an SRT player); `onData` gets whole 188-byte packets, in order. */
export function createMpegTsOutputSink(onData: (ts: Buffer) => void, opts: MpegTsOutputSinkOptions): MpegTsOutputSink {
  return new TsOutputSink(onData, opts);
}
