import type { Logger } from '../../core/logger.js';
import { OnAirError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import type { EventPublisher } from './stream-events.js';
import { newId } from '../random-ids.js';
import { StreamStore } from './stream-store.js';
import { SessionStore } from './session-store.js';
import { summarize, type SessionRecord } from './stream-types.js';
import type { DeferredWrites } from './deferred-writes.js';
import type { NodeRun } from './lost-session-store.js';

export interface PublishStartInfo {
  readonly streamPath: string;
  /** Set for API streams (from the PublishDecision); absent in `open`/`callback` mode. */
  readonly streamId?: string;
  readonly remoteAddress: string;
  readonly protocol: string;
}

export interface PublishEndInfo {
  readonly streamPath: string;
  readonly sessionId: string;
  /** Why the publisher went away: `eof`, `timeout`, `kicked:key_reset`, `takeover`... (free text, stored). */
  readonly reason: string;
  readonly bytesIn: number;
}

export interface StreamLifecycleDeps {
  readonly db: Database;
  readonly logger: Logger;
  readonly events: EventPublisher;
  readonly now?: () => Date;
  /** True when another cluster node now has a live publisher on the path (its reconnect landed there): no idle then. */
  readonly liveElsewhere?: (streamPath: string) => Promise<boolean>;
  /** This cluster node's id and current run, stored with each session (another node ends them if this one dies). */
  readonly node?: () => NodeRun;
  /** Where writes wait while PostgreSQL is unavailable (README "PostgreSQL outage"); without it they are logged and lost. */
  readonly writes?: DeferredWrites;
}

interface LiveSession {
  readonly sessionId: string;
  readonly streamPath: string;
  readonly streamId: string | undefined;
  /** Set at the first keyframe: this session made the stream active, so its idle is an active -> idle change. */
  wentActive?: boolean;
}

/**
 * What the media servers report about publishers: records sessions, flips the stream's status and emits
 * stream.connected / active / disconnected / idle. `idle` waits `reconnectWindowSec` so an encoder that
 * drops and comes back within the window keeps the stream active (and its viewers' players alive).
 * Never throws into the media path: storage failures are logged.
 */
export class StreamLifecycle {
  private readonly streams: StreamStore;
  private readonly sessions: SessionStore;
  private readonly now: () => Date;
  private readonly log: Logger;
  private readonly bySession = new Map<string, LiveSession>();
  private readonly byPath = new Map<string, LiveSession>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly deps: StreamLifecycleDeps) {
    this.streams = new StreamStore(deps.db);
    this.sessions = new SessionStore(deps.db);
    this.now = deps.now ?? (() => new Date());
    this.log = deps.logger.child({ module: 'stream-lifecycle' });
  }

  /** Startup repair after a crash: no publisher is connected yet, so nothing is active and no session open. */
  async recover(): Promise<{ streams: number; sessions: number }> {
    const at = this.now();
    return { sessions: await this.sessions.endAllOpen(at), streams: await this.streams.resetAllToIdle(at) };
  }

  async onPublishStart(info: PublishStartInfo): Promise<string> {
    this.checkOpen();
    const live: LiveSession = { sessionId: newId('ses'), streamPath: info.streamPath, streamId: info.streamId };
    this.cancelIdle(info.streamPath);
    this.bySession.set(live.sessionId, live);
    this.byPath.set(info.streamPath, live);
    const startedAt = this.now();
    const node = this.deps.node?.(); // the run at publish time, also for an insert that waits out an outage
    // One step per write, so a write retried after an outage never runs a step that already went through twice.
    await this.guard('publish start', () => this.sessions.insert({
      id: live.sessionId, streamId: info.streamId ?? null, streamPath: info.streamPath, protocol: info.protocol,
      remoteAddress: info.remoteAddress, startedAt,
    }, node));
    await this.guard('stream.connected', () => this.emit('stream.connected', live));
    return live.sessionId;
  }

  /** First keyframe of the current publisher on `streamPath`. */
  async onActive(streamPath: string): Promise<void> {
    if (this.closed) return;
    const live = this.byPath.get(streamPath);
    if (!live) return;
    live.wentActive = true;
    const at = this.now();
    await this.guard('active', async () => {
      await this.sessions.markActive(live.sessionId, at);
      if (live.streamId) await this.streams.setLiveStatus(live.streamId, 'active', at);
    });
    await this.guard('stream.active', () => this.emit('stream.active', live));
  }

  async onPublishEnd(info: PublishEndInfo): Promise<void> {
    if (this.closed) return;
    const live = this.bySession.get(info.sessionId);
    this.bySession.delete(info.sessionId);
    if (!live) return;
    const replaced = this.byPath.get(info.streamPath) !== live; // a takeover publisher is already live here
    if (!replaced) this.byPath.delete(info.streamPath);
    const at = this.now();
    let endedElsewhere = false; // set by the end step, read by the later steps (queued in order in an outage)
    await this.guard('publish end', async () => {
      const ended = await this.sessions.end(info.sessionId, at, info.reason, info.bytesIn);
      if (ended) return;
      // Already ended by another node (this one was declared lost): that node sent its events and settles the
      // stream. A retried end of ours that had gone through finds our own time instead.
      const endedAt = (await this.sessions.get(info.sessionId))?.endedAt;
      endedElsewhere = endedAt != null && endedAt.getTime() !== at.getTime();
    });
    await this.guard('stream.disconnected', async () => { if (!endedElsewhere) await this.emit('stream.disconnected', live); });
    if (!replaced && live.streamId) {
      await this.guard('idle timer', async () => { if (!endedElsewhere) await this.scheduleIdle(live); });
    }
  }

  /** bytesIn of sessions still live (written periodically by the hub link; the final count comes with the end). */
  async onProgress(progress: readonly { sessionId: string; bytesIn: number }[]): Promise<void> {
    if (this.closed) return;
    const live = progress.filter((p) => this.bySession.has(p.sessionId));
    // Not queued in an outage: the next progress write or the session's end carries a newer figure.
    await this.guardNow('progress', () => this.sessions.recordBytesIn(live.map((p) => ({ id: p.sessionId, bytesIn: p.bytesIn }))));
  }

  /** Idempotent. Pending idle timers are dropped; `recover()` at the next start settles their streams. */
  close(): void {
    this.closed = true;
    for (const t of this.idleTimers.values()) clearTimeout(t);
    this.idleTimers.clear();
    this.bySession.clear();
    this.byPath.clear();
  }

  private async scheduleIdle(live: LiveSession): Promise<void> {
    const stream = await this.streams.get(live.streamId!);
    if (!stream) return;
    const windowMs = stream.status === 'disabled' ? 0 : stream.settings.reconnectWindowSec * 1000;
    const timer = setTimeout(() => {
      this.idleTimers.delete(live.streamPath);
      void (async () => {
        if (this.closed || this.byPath.has(live.streamPath)) return;
        // Unknown (Redis down): left active, as before, rather than announcing an idle that may be wrong.
        const elsewhere = await this.deps.liveElsewhere?.(live.streamPath).catch((err: unknown) => {
          this.log.error({ err, what: 'idle' }, 'stream lifecycle update failed');
          return true;
        });
        if (elsewhere) return;
        const at = this.now();
        let changed = true; // set by the idle step, read by the event step (queued in order in an outage)
        await this.guard('idle', async () => {
          // A session that never went active still ends in stream.idle (connected, disconnected, idle). One that
          // did must find the stream still active: a sweeper that took this node for lost may have idled it.
          if (live.wentActive) changed = await this.streams.setIdleIfActive(live.streamId!, at);
          else await this.streams.setLiveStatus(live.streamId!, 'idle', at);
        });
        await this.guard('stream.idle', async () => { if (changed) await this.emit('stream.idle', live); });
      })();
    }, windowMs);
    timer.unref();
    this.cancelIdle(live.streamPath);
    this.idleTimers.set(live.streamPath, timer);
  }

  private cancelIdle(streamPath: string): void {
    const t = this.idleTimers.get(streamPath);
    if (t) clearTimeout(t);
    this.idleTimers.delete(streamPath);
  }

  private async emit(type: 'stream.connected' | 'stream.active' | 'stream.disconnected' | 'stream.idle', live: LiveSession): Promise<void> {
    if (!live.streamId) return;
    const stream = await this.streams.get(live.streamId);
    if (!stream) return;
    const session: SessionRecord | null = await this.sessions.get(live.sessionId);
    await this.deps.events.publish(type, session ? { stream: summarize(stream), session } : { stream: summarize(stream) });
  }

  /** Runs a write that must not be lost: queued while the database is unavailable when `writes` is given. */
  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    if (this.deps.writes) return this.deps.writes.run(what, async () => {
      if (!this.closed) await fn();
    });
    return this.guardNow(what, fn);
  }

  private async guardNow(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (!this.closed) this.log.error({ err, what }, 'stream lifecycle update failed');
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new OnAirError('ONAIR_ERR_CLOSED', 'stream lifecycle is closed');
  }
}
