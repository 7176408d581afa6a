import { OnAirError, isOnAirError } from '../../core/errors.js';
import { PES_CLOCK, type ElementaryPes, type EsOutput } from './es-reader.js';

/**
 * Timestamps of the audio frames of one PES: the PES carries the PTS of its first frame (§2.4.3.7), the
 * rest follow by frame duration. A PES without a PTS continues where the previous one ended.
 */
export class AudioFrameClock {
  private next: number | undefined;
  private t = 0;

  /** Starts a PES; false (and an error reported) when there is no time to start from. */
  start(pes: ElementaryPes, out: EsOutput): boolean {
    const t = pes.pts ?? this.next;
    if (t === undefined) {
      out.error(new OnAirError('ONAIR_ERR_MALFORMED', 'first audio PES without a PTS'));
      return false;
    }
    this.t = t;
    return true;
  }

  /** The current frame's 90 kHz time; then moves past a frame of `samples` at `sampleRate`. */
  take(samples: number, sampleRate: number): number {
    const now = Math.round(this.t);
    this.t += (samples * PES_CLOCK) / sampleRate;
    this.next = this.t;
    return now;
  }
}

/** What an audio reader found at one offset of a PES payload. */
export type AudioStep =
  /** A frame: its bytes are data[start..end), it lasts `samples` at `sampleRate`. */
  | { readonly kind: 'frame'; readonly start: number; readonly end: number; readonly samples: number; readonly sampleRate: number }
  /** Bytes up to `end` that are no frame here, reported; time moves on by `samples` when they held audio. */
  | { readonly kind: 'skip'; readonly end: number; readonly error: OnAirError; readonly samples?: number; readonly sampleRate?: number };

/**
 * The loop every framed-audio reader shares: steps through a PES payload, times each frame with `clock`,
 * copies the payload once and hands frames out as views of that copy. A typed error thrown by `step` (a
 * header that does not parse, a frame cut at the PES end) is reported and ends this PES.
 */
export function readAudioFrames(pes: ElementaryPes, out: EsOutput, clock: AudioFrameClock, step: (data: Buffer, at: number) => AudioStep): void {
  if (!clock.start(pes, out)) return;
  const data = pes.data;
  let own: Buffer | undefined;
  let at = 0;
  while (at < data.length) {
    let s: AudioStep;
    try {
      s = step(data, at);
    } catch (err) {
      if (!isOnAirError(err)) throw err;
      out.error(err);
      return;
    }
    if (s.kind === 'skip') {
      out.error(s.error);
      if (s.samples && s.sampleRate) clock.take(s.samples, s.sampleRate);
    } else {
      own ??= Buffer.from(data);
      const pts = clock.take(s.samples, s.sampleRate);
      out.frame(pts, pts, true, own.subarray(s.start, s.end));
    }
    at = s.end;
  }
}

/** Offset of the next `isSync` position after `from` (or the end): bytes before it are skipped, reported. */
export function skipToSync(data: Buffer, from: number, isSync: (data: Buffer, at: number) => boolean, what: string): AudioStep {
  let next = from + 1;
  while (next < data.length && !isSync(data, next)) next++;
  return { kind: 'skip', end: next, error: new OnAirError('ONAIR_ERR_MALFORMED', `${next - from} bytes that are not ${what} skipped`) };
}
