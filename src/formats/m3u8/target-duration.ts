import { MAX_TARGET_DURATION_S, TARGET_DURATION_SCAN_BYTES } from './limits.js';

const TAG = Buffer.from('#EXT-X-TARGETDURATION:');
const LF = 0x0a;
const HASH = 0x23;
const CR = 0x0d;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * A media playlist's EXT-X-TARGETDURATION (RFC 8216 §4.3.3.1, a decimal-integer of seconds) read from its first
 * TARGET_DURATION_SCAN_BYTES bytes, without decoding the playlist: for a server passing on another's playlist (a
 * worker's copy of its sibling's answers, an edge's of the owner's) that needs only its stream's cadence. Read on the
 * bytes as they are, no string made. 0 when the tag is not within the bound, its line is cut off (a first chunk of a
 * body), or its value is no decimal-integer in 1..MAX_TARGET_DURATION_S; 0 at once for bytes that do not start with
 * '#': every playlist starts with #EXTM3U (RFC 8216 §4.3.1.1), so a relay may call it on any answer it passes on and
 * media (a part, a segment, an init) is never scanned, nor asked what it is.
 */
export function targetDurationOf(playlist: Uint8Array): number {
  if (playlist[0] !== HASH) return 0;
  const end = Math.min(playlist.length, TARGET_DURATION_SCAN_BYTES);
  // The tag starts a line: at 0 or after a line feed.
  for (let at = 0; at + TAG.length < end; at++) {
    if ((at === 0 || playlist[at - 1] === LF) && startsWithTag(playlist, at)) return decimalLine(playlist, at + TAG.length, end);
  }
  return 0;
}

function startsWithTag(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < TAG.length; i++) if (b[at + i] !== TAG[i]) return false;
  return true;
}

/** The decimal-integer from `from` to the end of its line (CRLF or LF), or 0 (empty, other characters, too large, no line end before `end`). */
function decimalLine(b: Uint8Array, from: number, end: number): number {
  let n = 0;
  for (let i = from; i < end; i++) {
    const c = b[i]!;
    if (c === LF || c === CR) return i > from ? n : 0;
    if (c < ZERO || c > NINE) return 0;
    n = n * 10 + (c - ZERO);
    if (n > MAX_TARGET_DURATION_S) return 0;
  }
  return 0;
}
