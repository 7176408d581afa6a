import type { AudienceShare } from './hls-audience.js';
import type { PlayerShare } from './sibling-players.js';
import { MAX_REPORTED_SESSIONS, MAX_REPORTED_STREAMS } from './limits.js';

/** --cluster: one node's viewers of streams another node owns, as sent to that node once a health round. */
export interface NodeAudienceReport {
  /** The reporting node's id. */
  readonly from: string;
  readonly shares: readonly AudienceShare[];
}

/** A stream path in a report: as long as a hub path may be, with no control characters. */
const MAX_PATH = 512;

export function encodeAudienceReport(report: NodeAudienceReport): string {
  return JSON.stringify({ v: 1, from: report.from, shares: report.shares });
}

/**
 * The report in `text`, checked field by field and bounded (MAX_REPORTED_STREAMS shares of MAX_REPORTED_SESSIONS ids);
 * undefined for anything else (another version, a truncated or malformed message): the caller logs and drops it.
 */
export function decodeAudienceReport(text: string, maxBytes = 4 * 1024 * 1024): NodeAudienceReport | undefined {
  if (text.length > maxBytes) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(m) || m.v !== 1 || typeof m.from !== 'string' || m.from.length === 0 || m.from.length > 128) return undefined;
  if (!Array.isArray(m.shares) || m.shares.length > MAX_REPORTED_STREAMS) return undefined;
  const shares: AudienceShare[] = [];
  for (const s of m.shares as unknown[]) {
    const share = decodeShare(s);
    if (!share) return undefined;
    shares.push(share);
  }
  return { from: m.from, shares };
}

function decodeShare(s: unknown): AudienceShare | undefined {
  if (!isObject(s) || typeof s.path !== 'string' || s.path.length === 0 || s.path.length > MAX_PATH || /[\u0000-\u001f]/.test(s.path)) return undefined;
  if (!Array.isArray(s.sessions) || s.sessions.length > MAX_REPORTED_SESSIONS) return undefined;
  for (const id of s.sessions as unknown[]) if (!Number.isSafeInteger(id) || (id as number) < 0) return undefined;
  if (!count(s.bytes) || (s.moreSessions !== undefined && !count(s.moreSessions))) return undefined;
  let players: PlayerShare | undefined;
  if (s.players !== undefined) {
    const p = s.players;
    if (!isObject(p) || !count(p.rtmp) || !count(p.flv) || !count(p.bytes)) return undefined;
    players = { rtmp: p.rtmp, flv: p.flv, bytes: p.bytes };
  }
  return {
    path: s.path, sessions: s.sessions as number[], bytes: s.bytes,
    ...(s.moreSessions ? { moreSessions: s.moreSessions } : {}), ...(players ? { players } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}
