import { OnAirError } from '../../core/errors.js';
import { type FragmentEntry, RecordingIndex } from './recording-index.js';

/**
 * The segment index of a recording kept beside its MP4 as JSON lines, appended after each fragment reaches
 * the file: the VOD playlist of a finished recording is read from it, and after a crash it says which bytes
 * of the MP4 are whole fragments. First line `{"v":1,"init":<bytes>}`, then one line per fragment:
 * `{"o":offset,"n":length,"t":startMs,"d":ms[,"s":1 segment start][,"c":1 discontinuity][,"r":[[trackId,time],...]]}`.
 * A line cut short by a crash is ignored, as is anything after it.
 */
export const JOURNAL_VERSION = 1;

export function journalHeader(initBytes: number): string {
  return `${JSON.stringify({ v: JOURNAL_VERSION, init: initBytes })}\n`;
}

export function journalLine(f: FragmentEntry): string {
  return `${JSON.stringify({
    o: f.offset, n: f.length, t: f.startMs, d: f.durationMs, ...(f.segmentStart ? { s: 1 } : {}), ...(f.discontinuity ? { c: 1 } : {}),
    ...(f.trafs ? { r: f.trafs } : {}),
  })}\n`;
}

/**
 * Rebuilds the index from a journal. Returns undefined when not even the header is there (nothing was
 * recorded); throws ONAIR_ERR_MALFORMED when the header is not a journal of this version.
 */
export function readJournal(text: string): RecordingIndex | undefined {
  const lines = text.split('\n');
  // The last element is '' after a complete file, or a line the crash cut short: never trusted.
  lines.pop();
  if (lines.length === 0) return undefined;
  const head = parse(lines[0]!);
  if (!head || head.v !== JOURNAL_VERSION || !isCount(head.init) || head.init === 0) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', 'not a recording journal (version 1)');
  }
  const index = new RecordingIndex(head.init as number);
  for (let i = 1; i < lines.length; i++) {
    const f = fragment(parse(lines[i]!));
    if (!f || f.offset !== index.bytes) break; // a torn or foreign line: what came before stands
    index.add(f);
  }
  return index;
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function fragment(o: Record<string, unknown> | undefined): FragmentEntry | undefined {
  if (!o || !isCount(o.o) || !isCount(o.n) || o.n === 0 || !isCount(o.t) || !isCount(o.d)) return undefined;
  let trafs: [number, number][] | undefined;
  if (o.r !== undefined) {
    if (!Array.isArray(o.r) || o.r.length > 16) return undefined;
    trafs = [];
    for (const t of o.r as unknown[]) {
      if (!Array.isArray(t) || t.length !== 2 || !isCount(t[0]) || !isCount(t[1])) return undefined;
      trafs.push([t[0], t[1]]);
    }
  }
  return { offset: o.o, length: o.n, startMs: o.t, durationMs: o.d, segmentStart: o.s === 1, discontinuity: o.c === 1, ...(trafs ? { trafs } : {}) };
}
