import { OnAirError, checkLimit } from '../../core/errors.js';
import { MAX_FRAGMENT_BYTES, MAX_SAMPLES_PER_TRUN } from './limits.js';
import type { Fmp4FragmentPart, Fmp4Sample } from './types.js';

/**
 * A CMAF fragment (ISO/IEC 14496-12 §8.8; CMAF chunk): moof (mfhd, one traf per part) + one mdat holding
 * every part's samples in order. The moof is sized once and written into one buffer; sample payloads
 * are not copied.
 */

/** tfhd flags: default-base-is-moof (§8.8.7.1): trun data_offset counts from the moof's first byte. */
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
/** trun flags: data-offset | sample-duration | sample-size | sample-flags | sample-composition-time-offset
 *  (§8.8.8.1); the same 0x000F01 as hls.js's own muxer (hls.js 1.7 `src/remux/mp4-generator.ts` trun). */
const TRUN_FLAGS = 0x000f01;
/** sample_flags (§8.8.3.1): sync = sample_depends_on 2 (depends on no other); non-sync = depends_on 1 +
 *  sample_is_non_sync_sample. hls.js reads keyframes from these bits (hls.js 1.7 `src/utils/mp4-tools.ts`, isNonSyncSample). */
export const SAMPLE_FLAGS_SYNC = 0x0200_0000;
export const SAMPLE_FLAGS_NON_SYNC = 0x0101_0000;

const MFHD_SIZE = 16;
const TFHD_SIZE = 16;
const TFDT_SIZE = 20;
const TRUN_FIXED = 20; // header 12 + sample_count 4 + data_offset 4
const TRUN_PER_SAMPLE = 16;
const MDAT_HEADER = 8;

function trafSize(samples: number): number {
  return 8 + TFHD_SIZE + TFDT_SIZE + TRUN_FIXED + TRUN_PER_SAMPLE * samples;
}

/**
 * Zero-copy form: `[moof + mdat header, ...sample payloads]`, ready for `writev`/`socket.cork`. The
 * sample Buffers are the callers' own (shared, not copied).
 */
export function buildFragment(seq: number, parts: readonly Fmp4FragmentPart[]): Buffer[] {
  if (parts.length === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'fragment needs at least one part');
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff_ffff) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `fragment sequence number ${seq} is not a u32`);
  }
  // Indexed loops throughout: this runs for every part of every stream, and for-of allocates iterators
  // until the function is optimized.
  let moofSize = 8 + MFHD_SIZE;
  let dataSize = 0;
  let sampleCount = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    validatePart(p);
    moofSize += trafSize(p.samples.length);
    sampleCount += p.samples.length;
    for (let j = 0; j < p.samples.length; j++) dataSize += p.samples[j]!.data.length;
  }
  checkLimit('fmp4 fragment bytes', moofSize + MDAT_HEADER + dataSize, MAX_FRAGMENT_BYTES);

  const head = Buffer.allocUnsafe(moofSize + MDAT_HEADER);
  let at = boxHeader(head, 0, moofSize, 'moof');
  at = boxHeader(head, at, MFHD_SIZE, 'mfhd', 0, 0);
  at = head.writeUInt32BE(seq, at);
  let dataOffset = moofSize + MDAT_HEADER;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    at = writeTraf(head, at, p, dataOffset);
    for (let j = 0; j < p.samples.length; j++) dataOffset += p.samples[j]!.data.length;
  }
  at = boxHeader(head, at, MDAT_HEADER + dataSize, 'mdat');
  const out = new Array<Buffer>(1 + sampleCount);
  out[0] = head;
  let k = 1;
  for (let i = 0; i < parts.length; i++) {
    const samples = parts[i]!.samples;
    for (let j = 0; j < samples.length; j++) out[k++] = samples[j]!.data;
  }
  return out;
}

/** Convenience: the fragment as one Buffer (one copy of the sample data). */
export function buildFragmentBuffer(seq: number, parts: readonly Fmp4FragmentPart[]): Buffer {
  return Buffer.concat(buildFragment(seq, parts));
}

/** Where a track's timeline stands in a fragment without samples. */
export interface EmptyTrackFragment {
  readonly trackId: number;
  /** tfdt baseMediaDecodeTime, track timescale; a negative or fractional value is clamped/rounded (nothing decodes at it). */
  readonly baseDts: number;
}

/**
 * A fragment that carries no media: moof (mfhd, one traf of tfhd + tfdt per track) and nothing else. It stands in
 * for an EXT-X-GAP segment, which players that honour the tag never load and players that do not (GStreamer
 * 1.22-1.24 hlsdemux2) load and parse: they need each track's tfdt to keep their timeline. It has no trun and no
 * mdat because both break a real demuxer: qtdemux (GStreamer 1.22) refuses a trun of 0 samples ("failed to
 * allocate 0 + 0 samples", the stream then ends) and asserts on an empty mdat (`gst_qtdemux_process_adapter`);
 * ISO/IEC 14496-12 §8.8.6-8.8.8 allows a traf with no trun.
 */
export function buildEmptyFragment(seq: number, tracks: readonly EmptyTrackFragment[]): Buffer {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff_ffff) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `fragment sequence number ${seq} is not a u32`);
  }
  const trafSizeEmpty = 8 + TFHD_SIZE + TFDT_SIZE;
  const moofSize = 8 + MFHD_SIZE + tracks.length * trafSizeEmpty;
  const out = Buffer.allocUnsafe(moofSize);
  let at = boxHeader(out, 0, moofSize, 'moof');
  at = boxHeader(out, at, MFHD_SIZE, 'mfhd', 0, 0);
  at = out.writeUInt32BE(seq, at);
  for (const t of tracks) {
    const dts = Math.max(0, Math.round(t.baseDts));
    at = boxHeader(out, at, trafSizeEmpty, 'traf');
    at = boxHeader(out, at, TFHD_SIZE, 'tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF);
    at = out.writeUInt32BE(t.trackId, at);
    at = boxHeader(out, at, TFDT_SIZE, 'tfdt', 1, 0);
    at = out.writeUInt32BE(Math.floor(dts / 0x1_0000_0000), at);
    at = out.writeUInt32BE(dts >>> 0, at);
  }
  return out;
}

function writeTraf(out: Buffer, start: number, p: Fmp4FragmentPart, dataOffset: number): number {
  const n = p.samples.length;
  let at = boxHeader(out, start, trafSize(n), 'traf');
  at = boxHeader(out, at, TFHD_SIZE, 'tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF);
  at = out.writeUInt32BE(p.track.id, at);
  at = boxHeader(out, at, TFDT_SIZE, 'tfdt', 1, 0); // v1: 64-bit time, never wraps (ISO/IEC 14496-12 §8.8.12)
  at = out.writeUInt32BE(Math.floor(p.baseDts / 0x1_0000_0000), at); // 64 bits as two halves: no BigInt per part
  at = out.writeUInt32BE(p.baseDts >>> 0, at);
  // v1: signed composition offsets (§8.8.8.2), needed for B-frames when pts may precede dts.
  at = boxHeader(out, at, TRUN_FIXED + TRUN_PER_SAMPLE * n, 'trun', 1, TRUN_FLAGS);
  at = out.writeUInt32BE(n, at);
  at = out.writeInt32BE(dataOffset, at);
  for (let i = 0; i < n; i++) {
    const s = p.samples[i]!;
    at = out.writeUInt32BE(s.duration, at);
    at = out.writeUInt32BE(s.data.length, at);
    at = out.writeUInt32BE(s.keyframe ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC, at);
    at = out.writeInt32BE(s.cts, at);
  }
  return at;
}

function boxHeader(out: Buffer, at: number, size: number, type: string, version?: number, flags?: number): number {
  at = out.writeUInt32BE(size, at);
  at += out.write(type, at, 4, 'latin1');
  if (version !== undefined) {
    at = out.writeUInt8(version, at);
    at = out.writeUIntBE(flags ?? 0, at, 3);
  }
  return at;
}

/** The trun carries durations only, so the given dts must agree with them or the output would lie. */
function validatePart(p: Fmp4FragmentPart): void {
  const id = p.track.id;
  if (p.samples.length === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', `track ${id}: part without samples`);
  checkLimit('fmp4 samples per trun', p.samples.length, MAX_SAMPLES_PER_TRUN);
  if (!Number.isSafeInteger(p.baseDts) || p.baseDts < 0) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `track ${id}: baseDts ${p.baseDts} must be a non-negative integer`);
  }
  let expected = p.baseDts;
  for (let i = 0; i < p.samples.length; i++) {
    const s: Fmp4Sample = p.samples[i]!;
    if (s.dts !== expected) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `track ${id}: sample ${i} dts ${s.dts}, expected ${expected}`);
    }
    if (!Number.isInteger(s.duration) || s.duration < 0 || s.duration > 0xffff_ffff) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `track ${id}: sample ${i} duration ${s.duration}`);
    }
    if (!Number.isInteger(s.cts) || s.cts < -0x8000_0000 || s.cts > 0x7fff_ffff) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `track ${id}: sample ${i} composition offset ${s.cts}`);
    }
    expected += s.duration;
  }
}
