/**
 * The request heads the lean HTTP/1.1 front answers itself (lean-front.ts): `GET` or `HEAD` of an origin-form
 * target, HTTP/1.1, a Host, no body, no upgrade, no `Connection: close`, none of the headers it reads repeated.
 * Everything else, malformed input included, is "not mine": the connection goes to Node's own HTTP server with
 * the bytes read so far, which answers it (400, 431, the API...) as it always has. So this parser only has to
 * be right about what it accepts, never about what it refuses.
 */
import { EDGE_HLS_HEADER, EDGE_VIEWERS_HEADER } from '../../../services/edge/edge-token.js';
import { HOP_HEADER } from '../playback/hls/hls-proxy.js';
import { MAX_LEAN_HEAD_BYTES } from './limits.js';

/** The headers a playback answer reads (lower-case names, values trimmed); others are skipped. */
export interface LeanHeaders {
  origin?: string;
  'if-none-match'?: string;
  range?: string;
  'user-agent'?: string;
  'access-control-request-headers'?: string;
  readonly [name: string]: string | undefined;
}

export interface LeanHead {
  readonly method: 'GET' | 'HEAD';
  /** The request target as sent (path and query). */
  readonly url: string;
  readonly headers: LeanHeaders;
}

/** One step of the reader: a complete head and the bytes after it, more bytes needed, or not for the lean front. */
export type HeadStep = {
  readonly head: LeanHead;
  /** The head and everything after it (what Node gets if the lean front does not take this request). */
  readonly bytes: Buffer;
} | 'more' | 'not-mine';

const CR = 13;
const LF = 10;
/** Headers the lean front stores; a second copy of one is left to Node. */
const KEPT = new Set(['origin', 'if-none-match', 'range', 'user-agent', 'access-control-request-headers',
  // An edge's signed request (--edge-hls proxy) and a sibling worker's forwarded one: the owner answers them differently;
  // an edge that reports its own viewers (--cluster) is not a session at the owner.
  EDGE_HLS_HEADER, EDGE_VIEWERS_HEADER, HOP_HEADER]);
/** Headers whose presence means framing or semantics the lean front does not do. */
const NOT_MINE = new Set(['transfer-encoding', 'upgrade', 'expect', 'te', 'http2-settings']);
/** RFC 9110 §5.6.2 token characters, as a lookup by byte. */
const TOKEN = tokenTable();
/** Every header name the parser looks at, by length: a name matching none is skipped without making a string of it. */
const NAMES_BY_LENGTH = namesByLength(['host', 'content-length', 'connection', ...NOT_MINE, ...KEPT]);

/**
 * Finds the end of a request head in `buf` (CRLF CRLF), looking only where a new one could be after a previous
 * scan up to `from`. Returns the index just past the blank line, or -1.
 */
export function headEnd(buf: Buffer, from: number): number {
  const i = buf.indexOf('\r\n\r\n', Math.max(0, from - 3), 'latin1');
  return i < 0 ? -1 : i + 4;
}

/**
 * Incremental: bytes go in as they arrive (any split), heads come out one at a time. Holds at most
 * MAX_LEAN_HEAD_BYTES of an incomplete head; a longer one is not mine (Node answers it 431).
 */
export class RequestHeadReader {
  private pending: Buffer | undefined;
  private scanned = 0;

  /** Keeps bytes without parsing them (pipelined while an answer is pending; the caller stops reading). */
  hold(data: Buffer): void {
    if (data.length) this.pending = this.pending ? Buffer.concat([this.pending, data]) : data;
  }

  /** Feeds bytes (or none, to parse what is held) and returns the next step; the rest after a head stays held. */
  next(data?: Buffer): HeadStep {
    if (data) this.hold(data);
    const buf = this.pending;
    if (!buf || buf.length === 0) {
      this.pending = undefined;
      return 'more';
    }
    const end = headEnd(buf, this.scanned);
    if (end < 0) {
      if (buf.length > MAX_LEAN_HEAD_BYTES) return this.giveUp(buf);
      this.pending = buf;
      this.scanned = buf.length;
      return 'more';
    }
    const head = end <= MAX_LEAN_HEAD_BYTES ? parseHead(buf, end - 2) : undefined;
    if (!head) return this.giveUp(buf);
    this.pending = end < buf.length ? buf.subarray(end) : undefined;
    this.scanned = 0;
    return { head, bytes: buf };
  }

  /** Swaps the held bytes for a copy of them (the caller's read buffer is about to be reused). */
  replaceHeld(copy: Buffer): void {
    this.pending = copy;
  }

  /** Forgets what is held (handed to Node with the connection). */
  clear(): void {
    this.pending = undefined;
    this.scanned = 0;
  }

  /** The bytes held and not parsed (handed to Node with the connection). */
  held(): Buffer | undefined {
    return this.pending;
  }

  private giveUp(buf: Buffer): 'not-mine' {
    this.pending = buf;
    return 'not-mine';
  }
}

/**
 * Parses the head in buf[0, end) (end = index of the final CRLF pair's second CRLF); undefined = not mine.
 * Strict where Node is strict (bare LF, obs-fold, control characters, no Host): all of it is left to Node.
 */
export function parseHead(buf: Buffer, end: number): LeanHead | undefined {
  const lineEnd = buf.indexOf(CR);
  if (lineEnd < 0 || lineEnd >= end || buf[lineEnd + 1] !== LF) return undefined;
  const line = buf.toString('latin1', 0, lineEnd);
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp2 < 0 || line.slice(sp2 + 1) !== 'HTTP/1.1') return undefined;
  const method = line.slice(0, sp1);
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const url = line.slice(sp1 + 1, sp2);
  if (url.charCodeAt(0) !== 0x2f || !visibleAscii(url)) return undefined;
  const headers: Record<string, string> = {};
  let host = false;
  let at = lineEnd + 2;
  while (at < end) {
    const cr = buf.indexOf(CR, at);
    if (cr < 0 || cr >= end || buf[cr + 1] !== LF) return undefined;
    const colon = buf.indexOf(0x3a, at);
    if (colon <= at || colon > cr) return undefined; // no name (an obs-fold continuation starts with a space: not a token)
    for (let i = at; i < colon; i++) if (!TOKEN[buf[i]!]) return undefined;
    const name = knownName(buf, at, colon);
    let vs = colon + 1;
    let ve = cr;
    for (let i = vs; i < ve; i++) {
      const c = buf[i]!;
      if ((c < 0x20 && c !== 9) || c === 0x7f) return undefined;
    }
    if (name === undefined) {
      at = cr + 2;
      continue;
    }
    while (vs < ve && (buf[vs] === 0x20 || buf[vs] === 9)) vs++;
    while (ve > vs && (buf[ve - 1] === 0x20 || buf[ve - 1] === 9)) ve--;
    if (name === 'host') {
      if (host) return undefined;
      host = true;
    } else if (name === 'content-length') {
      if (buf.toString('latin1', vs, ve) !== '0') return undefined;
    } else if (name === 'connection') {
      if (buf.toString('latin1', vs, ve).toLowerCase() !== 'keep-alive') return undefined;
    } else if (NOT_MINE.has(name)) {
      return undefined;
    } else if (KEPT.has(name)) {
      if (headers[name] !== undefined) return undefined;
      headers[name] = buf.toString('latin1', vs, ve);
    }
    at = cr + 2;
  }
  if (!host) return undefined;
  return { method, url, headers };
}

/**
 * The lower-case name of buf[at, end) when it is one the parser looks at (ASCII case-insensitive), else undefined.
 * The bytes are token characters (checked before): of those, only A-Z become other characters under `| 0x20`.
 */
function knownName(buf: Buffer, at: number, end: number): string | undefined {
  const candidates = NAMES_BY_LENGTH[end - at];
  if (!candidates) return undefined;
  next: for (let k = 0; k < candidates.length; k++) {
    const name = candidates[k]!;
    for (let i = 0; i < name.length; i++) if ((buf[at + i]! | 0x20) !== name.charCodeAt(i)) continue next;
    return name;
  }
  return undefined;
}

function namesByLength(names: readonly string[]): (string[] | undefined)[] {
  const byLength: (string[] | undefined)[] = [];
  for (const name of names) (byLength[name.length] ??= []).push(name);
  return byLength;
}

function visibleAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

function tokenTable(): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of "!#$%&'*+-.^_`|~") t[ch.charCodeAt(0)] = 1;
  return t;
}
