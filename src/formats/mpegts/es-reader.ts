import type { OnAirError } from '../../core/errors.js';

/** One PES payload handed to an elementary-stream reader, timestamps already unwrapped (90 kHz). */
export interface ElementaryPes {
  readonly pts: number | undefined;
  readonly dts: number | undefined;
  /** The elementary-stream bytes: a view of the demuxer's reused buffer, valid only during the call. */
  readonly data: Buffer;
}

/** What an elementary-stream reader produces; buffers it passes are its own (copied out of the PES). */
export interface EsOutput {
  /** The decoder configuration changed (avcC, hvcC, AudioSpecificConfig, OpusHead); comes before the frames it applies to. */
  config(config: Buffer): void;
  /** One access unit (video: AVCC, 4-byte lengths; audio: one raw frame), 90 kHz timestamps. */
  frame(dts: number, pts: number, keyframe: boolean, data: Buffer): void;
  error(e: OnAirError): void;
}

export interface EsReader {
  /** Reads one PES; reports problems through `out.error` (a codec helper's typed throw included). */
  push(pes: ElementaryPes, out: EsOutput): void;
}

/** 90 kHz ticks per second: the PES clock. */
export const PES_CLOCK = 90_000;
