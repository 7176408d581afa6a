import assert from 'node:assert/strict';
import type { MediaPlaylist } from '../../src/formats/m3u8/types.js';

/** One listed segment as a player numbers it: MSN, discontinuity number (RFC 8216 §6.2.2), URI, date. */
export interface Seen {
  readonly msn: number;
  readonly cc: number;
  readonly uri: string;
  readonly discontinuity: boolean;
  readonly gap: boolean;
  readonly pdt: number;
  readonly duration: number;
}

export function listed(p: MediaPlaylist): Seen[] {
  let cc = p.discontinuitySequence ?? 0;
  return p.segments.map((s, i) => {
    if (s.discontinuity) cc++;
    return {
      msn: p.mediaSequence + i, cc, uri: s.uri, discontinuity: s.discontinuity === true, gap: s.gap === true,
      pdt: s.programDateTime ?? NaN, duration: s.duration,
    };
  });
}

/** Every segment a viewer's playlists listed, by MSN; a segment listed again must be the same one (URI, discontinuity number). */
export function remember(seen: Map<number, Seen>, p: MediaPlaylist): void {
  for (const s of listed(p)) {
    const before = seen.get(s.msn);
    assert.ok(!before || (before.uri === s.uri && before.cc === s.cc), `segment ${s.msn} was ${JSON.stringify(before)}, now ${JSON.stringify(s)}`);
    seen.set(s.msn, s);
  }
}

/** The packager instance a segment URI names (`seg-<instance>-<msn>.m4s`). */
export function instanceOf(uri: string): string {
  return /seg-([a-z0-9]+)-/.exec(uri)?.[1] ?? uri;
}
