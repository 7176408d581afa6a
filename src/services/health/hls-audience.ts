import type { AudienceSource, PlayerShare } from './sibling-players.js';
import {
  HLS_SESSION_IDLE_MAX_MS, HLS_SESSION_IDLE_MIN_MS, HLS_SESSION_IDLE_TARGET_DURATIONS, MAX_HLS_CLIENT_KEY, MAX_HLS_SESSIONS_PER_STREAM,
  SIBLING_AUDIENCE_TTL_MS,
} from './limits.js';

/** Another process's HLS viewers of a stream (a sibling worker's or another node's, sent once a second): its latest report. */
interface RemoteAudience {
  sessions: readonly number[];
  /** Its sessions past the ids it sent (a capped report): counted, not united. */
  more: number;
  bytes: number;
  /** monotonic ms the report arrived. */
  at: number;
}

interface StreamAudience {
  /** session id (sessionId: client address + user agent) -> monotonic ms of its last media playlist request. */
  readonly sessions: Map<number, number>;
  bytesServed: number;
  /** monotonic ms of the last answer recorded here. */
  lastMs: number;
  /** How long a session of this stream lives without a media playlist request (hlsSessionIdleMs of the EXT-X-TARGETDURATION last served here). */
  idleMs: number;
  /** The sibling workers' (and, --cluster, other nodes') viewers of this stream, by source; undefined until one reports. */
  remote: Map<AudienceSource, RemoteAudience> | undefined;
  /** Bytes of reports gone (a sibling that stopped reporting, or restarted its count): still served. */
  remoteBytesCarried: number;
}

/** A sibling worker's (or, --cluster, another node's) report of its viewers of one stream: HLS here (addRemote), RTMP/FLV in SiblingPlayers. */
export interface AudienceShare {
  readonly path: string;
  /** Its live session ids (sessionId), at most MAX_HLS_SESSIONS_PER_STREAM (a node's report: MAX_REPORTED_SESSIONS). */
  readonly sessions: readonly number[];
  /** Its live sessions past those ids (a node's capped report): added to the count without being united. */
  readonly moreSessions?: number;
  /** HLS bytes it served its viewers of the stream since it first served one. */
  readonly bytes: number;
  /** Its RTMP and FLV viewers of the stream (served through its pull from the owner); absent when it holds no copy. */
  readonly players?: PlayerShare;
}

/**
 * HLS viewers of each stream, estimated: HLS has no connection per viewer, so a session is a client (address +
 * user agent) that asked for a media playlist within its stream's idle time, a few of the stream's own reload
 * intervals (hlsSessionIdleMs: a `low` LL-HLS stream's viewers drop out sooner than a `standard` one's; ABR renditions
 * take their stream's). Two players behind one address with the same browser count once. Also sums the bytes HLS
 * served per stream.
 *
 * Under --workers a viewer is recorded by the worker its requests reach (README "Viewer counts under workers"): the
 * worker owning the stream adds the sibling workers' sessions of it (addRemote) by session id, so a viewer whose
 * connections land on two workers is one session, and the owner's count is the machine's. Each process expires its own
 * sessions with the idle time of the playlists it served (a sibling's copy carries the owner's EXT-X-TARGETDURATION,
 * so both derive the same one); a report's sessions are taken as sent and dropped only with the report
 * (SIBLING_AUDIENCE_TTL_MS), never expired again by the receiver with its own idea of the stream's idle time.
 */
export class HlsAudience {
  private readonly streams = new Map<string, StreamAudience>();

  /**
   * One HLS response for `path`; `playlist`: a media playlist (the request every player repeats). `targetDuration`:
   * the stream's EXT-X-TARGETDURATION (seconds) when the answer knows it (0 = not known: the idle time stays).
   */
  record(path: string, client: { ip: string; userAgent: string | undefined }, bytes: number, playlist: boolean, nowMs: number, targetDuration = 0): void {
    const a = this.entry(path);
    a.bytesServed += bytes;
    a.lastMs = nowMs;
    if (!playlist) return;
    if (targetDuration > 0) a.idleMs = hlsSessionIdleMs(targetDuration);
    const id = sessionId(client.ip, client.userAgent);
    if (a.sessions.has(id) || a.sessions.size < MAX_HLS_SESSIONS_PER_STREAM) {
      a.sessions.delete(id); // re-inserted last: the map stays ordered oldest-seen first
      a.sessions.set(id, nowMs);
    }
  }

  /** A sibling worker's (or another node's) latest report for a stream owned here (replaces its previous one). */
  addRemote(from: AudienceSource, share: AudienceShare, nowMs: number): void {
    const a = this.entry(share.path);
    a.remote ??= new Map();
    const previous = a.remote.get(from);
    // Its count restarted (it forgot the stream a while, or was restarted): what it had served is still served.
    if (previous && share.bytes < previous.bytes) a.remoteBytesCarried += previous.bytes;
    const sessions = share.sessions.length > MAX_HLS_SESSIONS_PER_STREAM ? share.sessions.slice(0, MAX_HLS_SESSIONS_PER_STREAM) : share.sessions;
    a.remote.set(from, { sessions, more: share.moreSessions ?? 0, bytes: share.bytes, at: nowMs });
  }

  /**
   * Sessions seen lately, here and (workers) at the sibling workers that report this stream, each session once;
   * expired ones are dropped (oldest first, so the scan stops at the first live one).
   */
  viewers(path: string, nowMs: number): number {
    const a = this.streams.get(path);
    if (!a) return 0;
    this.expire(a, nowMs);
    if (!a.remote || a.remote.size === 0) return a.sessions.size;
    // Once a second per stream with sibling viewers (the health round): the union of the session ids.
    const all = new Set<number>(a.sessions.keys());
    let more = 0;
    for (const r of a.remote.values()) {
      for (const id of r.sessions) all.add(id);
      more += r.more;
    }
    return Math.min(all.size + more, MAX_HLS_SESSIONS_PER_STREAM);
  }

  /**
   * --cluster: this node's live sessions of `path` (its own and its sibling workers' reports, united) for the stream's
   * owning node: at most `cap` ids, the rest as a count (`more`).
   */
  sessionsToReport(path: string, nowMs: number, cap: number): { sessions: number[]; more: number } {
    const a = this.streams.get(path);
    if (!a) return { sessions: [], more: 0 };
    this.expire(a, nowMs);
    let more = 0;
    let ids: Iterable<number> = a.sessions.keys();
    if (a.remote && a.remote.size > 0) {
      const all = new Set<number>(a.sessions.keys());
      for (const r of a.remote.values()) {
        for (const id of r.sessions) all.add(id);
        more += r.more;
      }
      ids = all;
    }
    const sessions: number[] = [];
    for (const id of ids) {
      if (sessions.length < cap) sessions.push(id);
      else more++;
    }
    return { sessions, more };
  }

  /**
   * True when nothing of `path` was served here for its session idle time (so no session is live here either): a stream
   * the server does not hold is forgotten then. Until then its bytes are kept (a master playlist makes no session).
   */
  idleHere(path: string, nowMs: number): boolean {
    const a = this.streams.get(path);
    if (!a) return true;
    if (nowMs - a.lastMs <= a.idleMs) return false;
    // --cluster with workers: the worker that pulls another node's stream holds its siblings' reports of it (for that node).
    if (a.remote) for (const r of a.remote.values()) if (nowMs - r.at <= SIBLING_AUDIENCE_TTL_MS) return false;
    return true;
  }

  /** True while `path` is counted here (served lately, or reported by a sibling or another node). */
  has(path: string): boolean {
    return this.streams.has(path);
  }

  /** This process's own live sessions of `path` (what a worker reports to the stream's owner). */
  localSessions(path: string, nowMs: number): number[] {
    const a = this.streams.get(path);
    if (!a) return [];
    this.expire(a, nowMs);
    return [...a.sessions.keys()];
  }

  /** HLS bytes served of `path`: here, plus by the sibling workers (and --cluster, the other nodes) that report it. */
  bytesServed(path: string): number {
    const a = this.streams.get(path);
    if (!a) return 0;
    let n = a.bytesServed + a.remoteBytesCarried;
    if (a.remote) for (const r of a.remote.values()) n += r.bytes;
    return n;
  }

  /** HLS bytes this process served of `path` (what a worker reports to the stream's owner). */
  localBytes(path: string): number {
    return this.streams.get(path)?.bytesServed ?? 0;
  }

  /** The stream is gone from the server: its sessions and byte count go too. */
  forget(path: string): void {
    this.streams.delete(path);
  }

  paths(): IterableIterator<string> {
    return this.streams.keys();
  }

  private entry(path: string): StreamAudience {
    let a = this.streams.get(path);
    if (!a) {
      a = { sessions: new Map(), bytesServed: 0, lastMs: -Infinity, idleMs: HLS_SESSION_IDLE_MAX_MS, remote: undefined, remoteBytesCarried: 0 };
      this.streams.set(path, a);
    }
    return a;
  }

  private expire(a: StreamAudience, nowMs: number): void {
    for (const [id, seen] of a.sessions) {
      if (nowMs - seen <= a.idleMs) break;
      a.sessions.delete(id);
    }
    if (!a.remote) return;
    // A sibling that stopped reporting (its viewers left, or it died): its sessions go, its bytes stay served.
    for (const [from, r] of a.remote) {
      if (nowMs - r.at <= SIBLING_AUDIENCE_TTL_MS) continue;
      a.remote.delete(from);
      a.remoteBytesCarried += r.bytes;
    }
  }
}

/**
 * How long an HLS session of a stream whose playlists announce `targetDuration` (EXT-X-TARGETDURATION, seconds) lives
 * without a media playlist request: HLS_SESSION_IDLE_TARGET_DURATIONS of them, within HLS_SESSION_IDLE_MIN_MS and
 * HLS_SESSION_IDLE_MAX_MS (limits.ts says why); the maximum when it is not known (0).
 */
export function hlsSessionIdleMs(targetDuration: number): number {
  if (!(targetDuration > 0)) return HLS_SESSION_IDLE_MAX_MS;
  return Math.min(HLS_SESSION_IDLE_MAX_MS, Math.max(HLS_SESSION_IDLE_MIN_MS, HLS_SESSION_IDLE_TARGET_DURATIONS * targetDuration * 1000));
}

/**
 * A session's id: a 53-bit hash of the client's address and user agent (cut at MAX_HLS_CLIENT_KEY characters), made
 * without building the key string. A number, so a worker's sessions cross IPC as a short array and the owner unites
 * them with its own; two given clients share an id with a chance of about 1 in 10^15 (the figure is an estimate anyway).
 */
export function sessionId(ip: string, userAgent: string | undefined): number {
  lane1 = 0x811c9dc5;
  lane2 = 0x9747b28c;
  let n = mixIn(ip, 0);
  if (n < MAX_HLS_CLIENT_KEY) {
    mix(32);
    n++;
  }
  mixIn(userAgent ?? '', n);
  return (lane1 >>> 11) * 0x1_0000_0000 + (lane2 >>> 0);
}

// Two 32-bit FNV-1a style lanes with different offsets and multipliers; module state, so no closure per request.
let lane1 = 0;
let lane2 = 0;

function mix(c: number): void {
  lane1 = Math.imul(lane1 ^ c, 0x01000193);
  lane2 = Math.imul(lane2 ^ c, 0x5bd1e995);
  lane2 ^= lane2 >>> 15;
}

/** Mixes `s` in until MAX_HLS_CLIENT_KEY characters in all; returns the count so far. */
function mixIn(s: string, n: number): number {
  for (let i = 0; i < s.length && n < MAX_HLS_CLIENT_KEY; i++, n++) mix(s.charCodeAt(i));
  return n;
}
