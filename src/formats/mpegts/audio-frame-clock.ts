import { OnAirError } from '../../core/errors.js';
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
