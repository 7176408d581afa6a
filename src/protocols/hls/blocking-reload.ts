/**
 * Blocking playlist reload (draft-pantos-hls-rfc8216bis §6.2.5.2; hls.js 1.7 `src/loader/playlist-loader.ts`): `_HLS_msn`/`_HLS_part` name the part a
 * client wants next; the server holds the request until that part (or a later one) exists. Pure rules
 * here; ReloadWaiters parks the requests.
 */

/** Where the live edge is, as the blocking rules need it. */
export interface LiveEdge {
  readonly ended: boolean;
  readonly lastCompleteMsn: number | undefined;
  /** The segment being produced and its closed parts. */
  readonly openMsn: number | undefined;
  readonly openParts: number;
  /** Part count of a complete segment still in the window (undefined when evicted or unknown). */
  partsIn(msn: number): number | undefined;
}

export interface ReloadRequest {
  readonly msn?: number;
  readonly part?: number;
  readonly skip?: 'YES' | 'v2';
}

export type ReloadDecision = { readonly kind: 'now' } | { readonly kind: 'wait' } | { readonly kind: 'bad'; readonly reason: string };

const DIRECTIVE = /^(0|[1-9][0-9]{0,15})$/;

/** A query without delivery directives (most requests but the blocking reloads): one shared answer. */
const NO_DIRECTIVES: ReloadRequest = Object.freeze({});

/**
 * Reads the delivery directives from a query; undefined members are absent. Malformed => error text. Runs for every
 * media playlist request: no closure, no spread, one object only when there are directives.
 */
export function parseReloadQuery(q: Readonly<Record<string, unknown>>): ReloadRequest | { error: string } {
  const msnRaw = q._HLS_msn;
  const partRaw = q._HLS_part;
  const skipRaw = q._HLS_skip;
  if (msnRaw === undefined && partRaw === undefined && skipRaw === undefined) return NO_DIRECTIVES;
  const msn = directive(msnRaw);
  const part = directive(partRaw);
  if (msn === null || part === null) return { error: '_HLS_msn/_HLS_part must be decimal integers' };
  if (skipRaw !== undefined && skipRaw !== 'YES' && skipRaw !== 'v2') return { error: '_HLS_skip must be YES or v2' };
  const out: { msn?: number; part?: number; skip?: 'YES' | 'v2' } = {};
  if (msn !== undefined) out.msn = msn;
  if (part !== undefined) out.part = part;
  if (skipRaw) out.skip = skipRaw as 'YES' | 'v2';
  return out;
}

/** A directive's number; undefined when absent, null when malformed (not a plain decimal, or repeated). */
function directive(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  return typeof v === 'string' && DIRECTIVE.test(v) ? Number(v) : null;
}

/**
 * Advance Part Limit (rfc8216bis §6.2.5.2): a client may ask at most this many parts past the last one;
 * 3 for a part target of 1 s or more, else 3 / PART-TARGET.
 */
export function advancePartLimit(partTargetSec: number): number {
  return partTargetSec >= 1 ? 3 : Math.ceil(3 / partTargetSec);
}

export function reloadDecision(edge: LiveEdge, req: ReloadRequest, partTargetSec: number | undefined): ReloadDecision {
  if (req.msn === undefined) {
    return req.part === undefined ? { kind: 'now' } : { kind: 'bad', reason: '_HLS_part without _HLS_msn' };
  }
  if (edge.ended) return { kind: 'now' }; // directives are ignored once the playlist has ENDLIST
  const last = edge.openMsn ?? edge.lastCompleteMsn ?? 0;
  if (req.msn > last + 2) return { kind: 'bad', reason: `_HLS_msn ${req.msn} is more than 2 past the last segment ${last}` };
  if (req.part !== undefined) {
    if (partTargetSec === undefined) return { kind: 'bad', reason: '_HLS_part on a playlist without parts' };
    const lastPart = req.msn === edge.openMsn ? edge.openParts - 1 : req.msn > last ? -1 : undefined;
    if (lastPart !== undefined && req.part > lastPart + advancePartLimit(partTargetSec)) {
      return { kind: 'bad', reason: `_HLS_part ${req.part} is past the Advance Part Limit` };
    }
  }
  return isSatisfied(edge, req.msn, req.part) ? { kind: 'now' } : { kind: 'wait' };
}

/** True when the playlist already holds part `part` of segment `msn` (or, without `part`, all of `msn`). */
export function isSatisfied(edge: LiveEdge, msn: number, part: number | undefined): boolean {
  if (edge.ended) return true;
  const complete = edge.lastCompleteMsn !== undefined && msn <= edge.lastCompleteMsn;
  if (part === undefined) return complete;
  if (complete) {
    const n = edge.partsIn(msn);
    if (n === undefined || part < n) return true;
    // A part past a segment's last is part 0 of the next segment (§6.2.5.2).
    return msn + 1 <= edge.lastCompleteMsn! || (edge.openMsn === msn + 1 && edge.openParts >= 1);
  }
  return edge.openMsn === msn && part < edge.openParts;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** A monotonic clock in ms; absent = performance.now(). */
  now?(): number;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Deadlines are rounded up to this grain, so requests parked within the same slice of time share one timer (a
 * blocking reload's deadline is several seconds away: a few tens of ms later changes nothing).
 */
export const DEADLINE_GRAIN_MS = 50;

/**
 * The connection a parked request came on, as the waiters see it: one object per connection (the lean front's
 * connection, a node:http socket's record), not per request. It is told each wait of its requests, and calls
 * `release()` on them when its client leaves, so their slots are free at once instead of at the deadline (a burst
 * of clients that park and leave would otherwise hold MAX_BLOCKED_REQUESTS slots for 3 target durations, and every
 * honest blocking reload meanwhile is refused).
 */
export interface ParkingClient {
  parked(wait: ParkedWait): void;
  /** `wait` was answered (or released): nothing to release any more. */
  unparked(wait: ParkedWait): void;
}

export interface ParkedWait {
  /** Answers the parked request false now (the request's connection is gone) and frees its slot. */
  release(): void;
}

class Waiter implements ParkedWait {
  constructor(
    private readonly owner: ReloadWaiters,
    readonly ready: () => boolean,
    readonly resolve: (ok: boolean) => void,
    readonly deadline: Deadline,
    readonly client: ParkingClient | undefined,
  ) {}

  release(): void {
    this.owner.finish(this, false);
  }
}

/** The waiters whose deadline falls in one grain, and the one timer that answers them false. */
interface Deadline {
  readonly slot: number;
  readonly waiters: Set<Waiter>;
  timer: unknown;
}

/**
 * Requests parked until a condition holds. `check()` after every change answers the ready ones at once;
 * each waiter also has a deadline (answers false), shared by the waiters of the same DEADLINE_GRAIN_MS (one
 * timer per grain, not one per request: thousands of blocking reloads are parked per part). `close()` answers
 * every waiter false. Bounded by `max`.
 */
export class ReloadWaiters {
  private readonly waiters = new Set<Waiter>();
  private readonly deadlines = new Map<number, Deadline>();
  private closed = false;

  constructor(
    private readonly max: number,
    private readonly timers: Timers = realTimers,
  ) {}

  get size(): number {
    return this.waiters.size;
  }

  /** Timers armed for the parked waiters' deadlines (tests). */
  get timersArmed(): number {
    return this.deadlines.size;
  }

  /** Resolves true when `ready()` holds, false on timeout, close, when full, or when `client` releases it (it left). */
  wait(ready: () => boolean, timeoutMs: number, client?: ParkingClient): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (this.closed || this.waiters.size >= this.max) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w = new Waiter(this, ready, resolve, this.deadlineFor(timeoutMs), client);
      w.deadline.waiters.add(w);
      this.waiters.add(w);
      client?.parked(w);
    });
  }

  check(): void {
    for (const w of [...this.waiters]) if (w.ready()) this.finish(w, true);
  }

  close(): void {
    this.closed = true;
    for (const w of [...this.waiters]) this.finish(w, false);
  }

  private deadlineFor(timeoutMs: number): Deadline {
    const now = this.timers.now?.() ?? performance.now();
    const slot = Math.ceil((now + timeoutMs) / DEADLINE_GRAIN_MS);
    let d = this.deadlines.get(slot);
    if (!d) {
      const made: Deadline = { slot, waiters: new Set(), timer: undefined };
      made.timer = this.timers.setTimeout(() => this.expire(made), Math.max(0, slot * DEADLINE_GRAIN_MS - now));
      this.deadlines.set(slot, (d = made));
    }
    return d;
  }

  private expire(d: Deadline): void {
    this.deadlines.delete(d.slot);
    for (const w of [...d.waiters]) this.finish(w, false);
  }

  /** Answers `w` (once) and frees its slot and, with its last waiter, its deadline's timer. */
  finish(w: Waiter, ok: boolean): void {
    if (!this.waiters.delete(w)) return;
    w.client?.unparked(w);
    const d = w.deadline;
    d.waiters.delete(w);
    if (d.waiters.size === 0 && this.deadlines.get(d.slot) === d) {
      this.timers.clearTimeout(d.timer);
      this.deadlines.delete(d.slot);
    }
    w.resolve(ok);
  }
}
