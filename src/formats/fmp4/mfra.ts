import { OnAirError } from '../../core/errors.js';
import { type BoxNode, box, boxSize, fields, fullBox, serializeBoxes } from './box-tree.js';

/** One random access point of a track: a sync sample inside a movie fragment (ISO/IEC 14496-12 §8.8.10). */
export interface RandomAccessEntry {
  /** Presentation time of the sample, in the track's timescale. */
  readonly time: number;
  /** File offset of the moof holding it. */
  readonly moofOffset: number;
  /** 1-based: which traf of that moof, which trun of that traf, which sample of that trun. */
  readonly trafNumber: number;
  readonly trunNumber: number;
  readonly sampleNumber: number;
}

export interface TrackRandomAccess {
  readonly trackId: number;
  readonly entries: readonly RandomAccessEntry[];
}

/**
 * 'mfra' (§8.8.9): one tfra per track, then mfro, whose size field lets a reader find the mfra from the end
 * of the file. Appended when a fragmented recording ends so players that seek by it (QuickTime, VLC,
 * ffmpeg -use_mfra_for) need not scan every moof.
 */
export function buildMfra(tracks: readonly TrackRandomAccess[]): Buffer {
  const tfras = tracks.map(tfra);
  const mfroSize = 16;
  let size = 8 + mfroSize;
  for (const t of tfras) size += boxSize(t);
  return serializeBoxes([box('mfra', ...tfras, fullBox('mfro', 0, 0, fields(4).u32(size).done()))]);
}

/** Bytes needed for a 1-based number field: length_size_of_* is this minus one (2 bits each). */
function width(max: number): number {
  if (!Number.isInteger(max) || max < 1 || max > 0xffff_ffff) throw new OnAirError('ONAIR_ERR_MALFORMED', `tfra number ${max}`);
  return max <= 0xff ? 1 : max <= 0xffff ? 2 : max <= 0xff_ffff ? 3 : 4;
}

/** Version 1: 64-bit time and moof_offset, so neither wraps in a long recording. */
function tfra(t: TrackRandomAccess): BoxNode {
  let maxTraf = 1;
  let maxTrun = 1;
  let maxSample = 1;
  for (const e of t.entries) {
    maxTraf = Math.max(maxTraf, e.trafNumber);
    maxTrun = Math.max(maxTrun, e.trunNumber);
    maxSample = Math.max(maxSample, e.sampleNumber);
  }
  const [wTraf, wTrun, wSample] = [width(maxTraf), width(maxTrun), width(maxSample)];
  const per = 16 + wTraf + wTrun + wSample;
  const f = fields(12 + per * t.entries.length)
    .u32(t.trackId)
    .u32(((wTraf - 1) << 4) | ((wTrun - 1) << 2) | (wSample - 1))
    .u32(t.entries.length);
  for (const e of t.entries) {
    if (!Number.isSafeInteger(e.time) || e.time < 0 || !Number.isSafeInteger(e.moofOffset) || e.moofOffset < 0) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `tfra entry time ${e.time} offset ${e.moofOffset}`);
    }
    f.u64(e.time).u64(e.moofOffset);
    number(f, e.trafNumber, wTraf);
    number(f, e.trunNumber, wTrun);
    number(f, e.sampleNumber, wSample);
  }
  return fullBox('tfra', 1, 0, f.done());
}

function number(f: ReturnType<typeof fields>, v: number, bytes: number): void {
  if (!Number.isInteger(v) || v < 1) throw new OnAirError('ONAIR_ERR_MALFORMED', `tfra number ${v} (1-based)`);
  if (bytes === 1) f.u8(v);
  else if (bytes === 2) f.u16(v);
  else if (bytes === 3) f.u24(v);
  else f.u32(v);
}
