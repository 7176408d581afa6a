import type { PlayAuthRequest, PlayDecision } from './auth-types.js';
import { MAX_RAW_NAME_LENGTH, PLAY_DECISION_CACHE_MAX } from './limits.js';

type Allowed = Extract<PlayDecision, { ok: true }>;

/**
 * Allowed play decisions, keyed by app, name and playback token, valid for one version of the playback directory:
 * the first lookup after any change to it (disable, delete, policy, key reset; through this process's API or the
 * database sync) drops them all, so a change refuses the very next request. A decision with a token expiry is
 * not answered from here at or after it. The rest of the query (`_HLS_msn`, `_HLS_part`, ...) does not change a
 * decision, so it is not part of the key; requests that the full evaluation would refuse for their length, or
 * whose name carries its own query, are never answered from here.
 */
export class PlayDecisionCache {
  private readonly allowed = new Map<string, Allowed>();
  private version = -1;

  constructor(private readonly maxEntries = PLAY_DECISION_CACHE_MAX) {}

  /** The cache key of `req`, or undefined when `req` must always be evaluated. */
  keyOf(req: PlayAuthRequest): string | undefined {
    const { app, name, query } = req;
    if (app.length + name.length + query.length > MAX_RAW_NAME_LENGTH) return undefined;
    if (app.includes('?') || name.includes('?')) return undefined;
    return `${app.length}:${app}${name.length}:${name}${tokenOf(query)}`;
  }

  /** The allow remembered under `key` for directory `version`, unless its token has expired at `nowSec()`. */
  get(key: string, version: number, nowSec: () => number): Allowed | undefined {
    if (!this.holds(version)) return undefined;
    const d = this.allowed.get(key);
    if (d?.expiresAtSec !== undefined && nowSec() >= d.expiresAtSec) return undefined;
    return d;
  }

  set(key: string, version: number, decision: Allowed): void {
    this.holds(version);
    if (this.allowed.size >= this.maxEntries) this.allowed.clear();
    this.allowed.set(key, Object.freeze(decision));
  }

  get size(): number {
    return this.allowed.size;
  }

  /** True when what is held was decided under `version`; otherwise drops it all and moves to `version`. */
  private holds(version: number): boolean {
    if (version === this.version) return true;
    this.allowed.clear();
    this.version = version;
    return false;
  }
}

/** The `token` parameter as the full evaluation reads it (URLSearchParams, first occurrence), '' when absent. */
function tokenOf(query: string): string {
  if (!query.includes('token')) return '';
  return new URLSearchParams(query).get('token') ?? '';
}
