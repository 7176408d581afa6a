import type { Readable, Writable } from 'node:stream';
import type { StreamMetadata } from '../../core/media-packet.js';
import type { PublisherInfo, StreamHub } from '../../hub/index.js';

/**
 * The FLV <-> hub translation the engine needs, implemented by src/bridges/transcode and handed in by the
 * composition root (services may not import bridges). Structural: the bridge does not import these types.
 */
export interface TranscodePipes {
  /** Subscribes to `sourcePath` and writes it as FLV into `target` (ffmpeg's stdin), respecting its buffer. */
  input(hub: StreamHub, sourcePath: string, target: Writable, hooks: PipeInputHooks): PipeInput;
  /** A rendition's publisher at `path`, fed by successive ffmpeg runs through `attach`. */
  output(hub: StreamHub, path: string, info: PublisherInfo, hooks: RenditionOutputHooks): RenditionOutput;
}

export interface PipeInputHooks {
  /** The hub ended the subscription (slow consumer, source gone, shutdown). */
  onClose(reason: string): void;
}

export interface PipeInput {
  /** Source stream-timeline dts of the FLV timestamp 0 fed to ffmpeg; undefined before the first frame. */
  readonly base?: number | undefined;
  /** Idempotent: unsubscribes and ends the target (ffmpeg sees EOF). */
  close(): void;
}

export interface RenditionOutputHooks {
  /** The first video frame of this rendition reached the hub (once per output). */
  onFirstFrame(): void;
  /** The FLV from ffmpeg was malformed, or the hub refused the publisher. */
  onError(err: unknown): void;
  /** Another publisher took the rendition's path. */
  onKick(reason: string): void;
}

export interface RenditionOutput {
  /** FLV bytes of one ffmpeg run; timestamps continue after those of the previous run. */
  attach(source: Readable, metadata: StreamMetadata): void;
  /** Added to the current run's FLV timestamps to get the rendition's hub dts; undefined before its first tag. */
  readonly runOffset?: number | undefined;
  /** True once the rendition is published in the hub. */
  readonly published: boolean;
  /** Idempotent: unpublishes the rendition. */
  close(reason: string): void;
}
