import { OnAirError, checkLimit } from '../../core/errors.js';
import { type BoxNode, box, fields, fullBox, serializeBoxes } from './box-tree.js';
import { MAX_CONFIG_BYTES, MAX_TRACKS } from './limits.js';
import { mehdBox } from './mehd.js';
import { sampleEntry } from './sample-entry.js';
import type { Fmp4Track } from './types.js';

export interface InitSegmentOptions {
  /**
   * Adds an mvex/mehd (version 1) with this movie duration in ms (the movie timescale): a recording writes 0
   * and sets the real value in place when it ends (mehd.ts). Absent = no mehd (live HLS).
   */
  readonly fragmentDurationMs?: number;
}

/**
 * CMAF header / HLS Media Initialization Section (RFC 8216 §3.3, EXT-X-MAP): ftyp + moov with mvex.
 * Every duration is 0: the movie is fragmented and its length unknown (ISO/IEC 14496-12 §8.8.1; CMAF
 * §7.3.2.1). Sample tables are present and empty, as the box structure requires.
 */
export function buildInitSegment(tracks: readonly Fmp4Track[], options: InitSegmentOptions = {}): Buffer {
  if (tracks.length === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'init segment needs at least one track');
  checkLimit('fmp4 tracks', tracks.length, MAX_TRACKS);
  const ids = new Set<number>();
  for (const t of tracks) {
    if (!Number.isInteger(t.id) || t.id < 1 || t.id > 0xffff_ffff || ids.has(t.id)) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `track id ${t.id} must be a unique integer >= 1`);
    }
    if (!Number.isInteger(t.timescale) || t.timescale < 1 || t.timescale > 0xffff_ffff) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `track ${t.id}: timescale ${t.timescale}`);
    }
    checkLimit('fmp4 codec config bytes', t.config.length, MAX_CONFIG_BYTES);
    ids.add(t.id);
  }
  const nextTrackId = Math.max(...ids) + 1;
  return serializeBoxes([ftyp(), box('moov', mvhd(nextTrackId), ...tracks.map(trak), mvex(tracks, options.fragmentDurationMs))]);
}

/** iso6: tfdt v1 / signed trun; cmfc: CMAF track file structure (ISO/IEC 23000-19 §7.2). */
export function ftyp(): BoxNode {
  const brands = ['iso6', 'cmfc', 'isom', 'mp41'];
  const f = fields(8 + 4 * brands.length).fourcc('iso6').u32(0);
  for (const b of brands) f.fourcc(b);
  return box('ftyp', f.done());
}

/** A 3×3 identity transformation matrix in 16.16 / 2.30 fixed point (§8.2.2). */
const IDENTITY_MATRIX = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];

function matrix(f: ReturnType<typeof fields>): void {
  for (const v of IDENTITY_MATRIX) f.u32(v);
}

/** Movie timescale 1000: only durations (all 0) use it. */
function mvhd(nextTrackId: number): BoxNode {
  const f = fields(96).u32(0).u32(0).u32(1000).u32(0).u32(0x0001_0000).u16(0x0100).zeros(10);
  matrix(f);
  return fullBox('mvhd', 0, 0, f.zeros(24).u32(nextTrackId).done());
}

/** tkhd flags: track_enabled | track_in_movie (§8.3.2). */
const TKHD_ENABLED_IN_MOVIE = 0x000003;

function tkhd(t: Fmp4Track): BoxNode {
  const f = fields(80).u32(0).u32(0).u32(t.id).u32(0).u32(0).zeros(8);
  f.u16(0) // layer
    .u16(0) // alternate_group
    .u16(t.kind === 'audio' ? 0x0100 : 0) // volume
    .u16(0);
  matrix(f);
  f.u32((t.width ?? 0) * 0x10000).u32((t.height ?? 0) * 0x10000);
  return fullBox('tkhd', 0, TKHD_ENABLED_IN_MOVIE, f.done());
}

/** ISO-639-2/T 'und' packed as three 5-bit letters minus 0x60 (§8.4.2). */
const LANGUAGE_UND = 0x55c4;

function mdhd(t: Fmp4Track): BoxNode {
  return fullBox('mdhd', 0, 0, fields(20).u32(0).u32(0).u32(t.timescale).u32(0).u16(LANGUAGE_UND).u16(0).done());
}

function hdlr(t: Fmp4Track): BoxNode {
  const [handler, name] = t.kind === 'video' ? ['vide', 'VideoHandler'] : ['soun', 'SoundHandler'];
  const nameBytes = Buffer.from(`${name}\0`, 'latin1');
  return fullBox('hdlr', 0, 0, fields(20).u32(0).fourcc(handler).zeros(12).done(), nameBytes);
}

function minf(t: Fmp4Track): BoxNode {
  const header =
    t.kind === 'video'
      ? fullBox('vmhd', 0, 1, Buffer.alloc(8)) // flags 1 required by §12.1.2; graphicsmode copy
      : fullBox('smhd', 0, 0, Buffer.alloc(4));
  const dinf = box('dinf', fullBox('dref', 0, 0, fields(4).u32(1).done(), fullBox('url ', 0, 1))); // self-contained
  return box('minf', header, dinf, stbl(t));
}

function stbl(t: Fmp4Track): BoxNode {
  const zeroCount = (): Buffer => Buffer.alloc(4);
  return box(
    'stbl',
    fullBox('stsd', 0, 0, fields(4).u32(1).done(), sampleEntry(t)),
    fullBox('stts', 0, 0, zeroCount()),
    fullBox('stsc', 0, 0, zeroCount()),
    fullBox('stsz', 0, 0, Buffer.alloc(8)), // sample_size 0, sample_count 0
    fullBox('stco', 0, 0, zeroCount()),
  );
}

function trak(t: Fmp4Track): BoxNode {
  return box('trak', tkhd(t), box('mdia', mdhd(t), hdlr(t), minf(t)));
}

/** trex defaults are all overridden per sample by trun, so they stay 0 (§8.8.3). mehd comes first (§8.8.1). */
function mvex(tracks: readonly Fmp4Track[], durationMs: number | undefined): BoxNode {
  return box(
    'mvex',
    ...(durationMs === undefined ? [] : [mehdBox(durationMs)]),
    ...tracks.map((t) => fullBox('trex', 0, 0, fields(20).u32(t.id).u32(1).u32(0).u32(0).u32(0).done())),
  );
}
