import type { Readable } from 'node:stream';
import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { decodeAmf0 } from '../../formats/amf/index.js';
import {
  FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, FlvReader, parseAudioTagBody, parseVideoTagBody, type FlvTag,
} from '../../formats/flv/index.js';
import type { Publisher, PublisherInfo, StreamHub } from '../../hub/index.js';
import { RUN_JOIN_STEP_MS } from './limits.js';

export interface FlvRenditionOutputHooks {
  onFirstFrame(): void;
  onError(err: unknown): void;
  onKick(reason: string): void;
}

/**
 * FLV from one of ffmpeg's output pipes -> a hub Publisher at the rendition's path. The publisher is
 * created with the first tag (so the hub's `publish` event means media is coming) and outlives an ffmpeg
 * restart: the next run is attached and its timestamps are joined onto the previous run's.
 */
export class FlvRenditionOutput {
  private pub: Publisher | undefined;
  private source: Readable | undefined;
  private metadata: StreamMetadata = {};
  /** Added to this run's FLV timestamps; undefined until the run's first tag sets it. */
  private offset: number | undefined;
  private lastTs = -1;
  private sawFrame = false;
  private closed = false;

  constructor(
    private readonly hub: StreamHub,
    readonly path: string,
    private readonly info: PublisherInfo,
    private readonly hooks: FlvRenditionOutputHooks,
  ) {}

  /** Added to the current run's FLV timestamps to get the rendition's hub dts; undefined before its first tag. */
  get runOffset(): number | undefined {
    return this.offset;
  }

  get published(): boolean {
    return this.pub !== undefined && !this.pub.isClosed;
  }

  /** `metadata` keys override ffmpeg's onMetaData (ffmpeg reports the input frame rate after `select`). */
  attach(source: Readable, metadata: StreamMetadata): void {
    if (this.closed) return;
    this.detachSource();
    this.source = source;
    this.metadata = metadata;
    this.offset = undefined;
    const reader = new FlvReader({ strict: false });
    source.on('data', (chunk: Buffer) => {
      if (this.source !== source || this.closed) return;
      try {
        for (const tag of reader.push(chunk).tags) this.onTag(tag);
      } catch (err) {
        this.detachSource();
        source.destroy();
        this.hooks.onError(err);
      }
    });
    source.on('error', () => {}); // the pipe closes when ffmpeg exits; the process owner reports why
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.detachSource();
    this.pub?.close(reason);
  }

  private detachSource(): void {
    this.source?.removeAllListeners('data');
    this.source = undefined;
  }

  private onTag(tag: FlvTag): void {
    if (tag.typeId === FLV_TAG_SCRIPT) return this.onScript(tag.body);
    const pub = this.publisher();
    if (!pub) return;
    this.offset ??= this.lastTs < 0 ? 0 : this.lastTs + RUN_JOIN_STEP_MS - tag.timestamp;
    const ts = Math.max(0, tag.timestamp + this.offset);
    this.lastTs = Math.max(this.lastTs, ts);
    const packets: MediaPacket[] = tag.typeId === FLV_TAG_VIDEO ? parseVideoTagBody(tag.body, ts)
      : tag.typeId === FLV_TAG_AUDIO ? parseAudioTagBody(tag.body, ts) : [];
    for (const p of packets) {
      pub.push(p);
      if (!this.sawFrame && p.kind === 'video' && p.role === 'frame') {
        this.sawFrame = true;
        this.hooks.onFirstFrame();
      }
    }
  }

  private onScript(body: Buffer): void {
    let values: unknown[];
    try {
      values = decodeAmf0(body);
    } catch {
      return; // metadata is optional
    }
    const meta = values[1];
    if (values[0] !== 'onMetaData' || typeof meta !== 'object' || meta === null) return;
    this.publisher()?.setMetadata({ ...(meta as StreamMetadata), ...this.metadata });
  }

  private publisher(): Publisher | undefined {
    if (this.pub && !this.pub.isClosed) return this.pub;
    if (this.pub) return undefined; // kicked: a takeover owns the path now
    try {
      this.pub = this.hub.publish(this.path, this.info);
    } catch (err) {
      this.closed = true;
      this.hooks.onError(err);
      return undefined;
    }
    this.pub.onKick = (reason) => this.hooks.onKick(reason);
    return this.pub;
  }
}
