import { LineSplitter } from './line-splitter.js';

/** One `-progress` block: ffmpeg prints key=value lines and ends each block with `progress=continue|end`. */
export interface ProgressReport {
  /** Output media time reached (µs), of the first output; -1 when ffmpeg has none yet (N/A). */
  readonly outTimeUs: number;
  readonly frame: number;
  /** ffmpeg's own speed (cumulative since start); NaN when N/A. */
  readonly speed: number;
  readonly end: boolean;
}

/** Incremental parser of ffmpeg's `-progress` output (sans-IO: bytes in, reports out). */
export class ProgressParser {
  private readonly lines = new LineSplitter();
  private fields = new Map<string, string>();

  push(chunk: Buffer | string): ProgressReport[] {
    const out: ProgressReport[] = [];
    for (const line of this.lines.push(chunk)) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      if (key !== 'progress') {
        this.fields.set(key, value);
        continue;
      }
      out.push({
        outTimeUs: num(this.fields.get('out_time_us') ?? this.fields.get('out_time_ms'), -1),
        frame: num(this.fields.get('frame'), 0),
        speed: Number.parseFloat(this.fields.get('speed') ?? 'NaN'),
        end: value === 'end',
      });
      this.fields = new Map();
    }
    return out;
  }
}

function num(v: string | undefined, fallback: number): number {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : fallback;
}
