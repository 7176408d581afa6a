import type { Logger } from '../../core/logger.js';
import type { PublishEndInfo, StreamEventInfo, StreamHub } from '../../hub/index.js';
import type { EventPublisher } from '../streams/stream-events.js';
import type { PlaybackDirectory } from '../streams/playback-directory.js';
import { summarize, type StreamRecord } from '../streams/stream-types.js';
import { TRANSCODE_PROTOCOL } from '../transcode/transcode-session.js';
import { BITRATE_SAMPLE_MS } from './limits.js';
import type { TargetConnector } from './target-connector.js';
import type { TargetStore } from './target-store.js';
import { TargetRunner, type TargetRunnerOptions } from './target-runner.js';
import { IDLE_STATUS, SOURCE_RENDITION, type TargetRecord, type TargetState, type TargetStatus, type TargetSummary } from './target-types.js';

export interface RepushServiceDeps {
  readonly hub: StreamHub;
  readonly targets: TargetStore;
  readonly connector: TargetConnector;
  /** The stream a webhook is about (StreamService.get). */
  readonly streamOf: (streamId: string) => Promise<StreamRecord | null>;
  readonly events: EventPublisher;
  /** Where a stream's disabling or deletion shows at once (also another instance's, over NOTIFY). */
  readonly directory: Pick<PlaybackDirectory, 'get' | 'onChange'>;
  readonly log: Logger;
  readonly options: TargetRunnerOptions;
}

/**
 * The targets of one live stream: one runner per enabled target. It lasts from a publish of the source to the
 * end of the stream: publishers that reconnect within the stream's window (or take over) carry on with it.
 */
interface LiveStream {
  readonly streamId: string;
  readonly sourcePath: string;
  /** The source's current publisher (or its last one, while the stream waits for a reconnect). */
  publisherId: number;
  readonly runners: Map<string, TargetRunner>;
  /** Reloads of this stream's targets run one after the other. */
  reloading: Promise<void>;
  /** Set while the source has no publisher: ends the stream when its reconnect window is over. */
  holdTimer: NodeJS.Timeout | undefined;
  /** Stops watching the playback directory for the stream's disabling or deletion. */
  unwatch: (() => void) | undefined;
  ended: boolean;
}

/**
 * Keeps every enabled target of every live API stream pushing: when a stream's source publishes, its targets
 * are loaded and a TargetRunner started for each (a rung target when its rendition path publishes). When the
 * source unpublishes, the targets keep their connections through the stream's reconnect window (the publisher's
 * `reconnectWindowSec`): a publisher back in time goes on over them, so a platform sees one stream, not one per
 * encoder reconnect or takeover. They stop when the window is over, at once with a window of 0, and at once
 * when the stream is disabled or deleted. API changes reload a live stream's targets at once. Status is in memory.
 */
export class RepushService {
  private readonly live = new Map<string, LiveStream>();
  private readonly byPath = new Map<string, Set<TargetRunner>>();
  /** The final status of each target's last live session (counters, last error), shown while it is idle. */
  private readonly lastSession = new Map<string, TargetStatus>();
  private readonly offs: (() => void)[];
  private sampler: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: RepushServiceDeps) {
    this.offs = [
      deps.hub.events.on('publish', (e) => this.onPublish(e)),
      deps.hub.events.on('unpublish', (e) => this.onUnpublish(e)),
    ];
  }

  /** The live status of a target (idle when its stream is not live or the target is disabled). */
  status(target: TargetRecord): TargetStatus {
    return this.live.get(target.streamId)?.runners.get(target.id)?.status ?? this.lastSession.get(target.id) ?? IDLE_STATUS;
  }

  /** A deleted target's last status goes with it. */
  forget(targetId: string): void {
    this.lastSession.delete(targetId);
  }

  /** Applies a change of a stream's targets (create, update, delete) to its live session, if any. */
  async reload(streamId: string): Promise<void> {
    const stream = this.live.get(streamId);
    if (!stream) return;
    stream.reloading = stream.reloading.then(async () => {
      if (!stream.unwatch) await this.watch(stream);
      await this.sync(stream);
    }).catch((err) => this.deps.log.error({ err, streamId }, 're-push reload failed'));
    await stream.reloading;
  }

  /** Stops every target; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.offs.forEach((off) => off());
    for (const stream of [...this.live.values()]) this.end(stream, 'server shutting down');
    clearInterval(this.sampler);
  }

  private onPublish(e: StreamEventInfo): void {
    if (this.closed) return;
    for (const runner of this.byPath.get(e.path) ?? []) runner.pathUp();
    const streamId = e.publisher.streamId;
    if (e.publisher.protocol === TRANSCODE_PROTOCOL || !streamId) return; // renditions, or not an API stream
    const previous = this.live.get(streamId);
    if (previous?.sourcePath === e.path) {
      // Back within the window (or a takeover): the targets go on over their connections.
      clearTimeout(previous.holdTimer);
      previous.holdTimer = undefined;
      previous.publisherId = e.publisherId;
      void this.reload(streamId);
      return;
    }
    if (previous) this.end(previous, 'the stream moved to another path');
    const stream: LiveStream = {
      streamId, sourcePath: e.path, publisherId: e.publisherId, runners: new Map(), reloading: Promise.resolve(),
      holdTimer: undefined, unwatch: undefined, ended: false,
    };
    this.live.set(streamId, stream);
    void this.reload(streamId);
  }

  private onUnpublish(e: PublishEndInfo): void {
    for (const runner of this.byPath.get(e.path) ?? []) {
      // A rung whose source is still publishing stopped on its own (ffmpeg): its targets stop with it. One that
      // went with its source (the source detaches first) waits with the stream for the source's return.
      const stream = this.live.get(runner.target.streamId);
      if (stream && this.deps.hub.stream(stream.sourcePath)?.publisher !== undefined && e.path !== stream.sourcePath) {
        runner.pathDown('rendition unpublished');
      }
    }
    const stream = e.publisher.streamId ? this.live.get(e.publisher.streamId) : undefined;
    if (!stream || stream.publisherId !== e.publisherId) return;
    const windowMs = (e.publisher.delivery?.reconnectWindowSec ?? 0) * 1000;
    if (windowMs === 0) return this.end(stream, 'source unpublished');
    this.deps.log.info({ streamId: stream.streamId, reason: e.reason, windowMs }, 'source unpublished: targets held for its reconnect window');
    stream.holdTimer = setTimeout(() => this.end(stream, 'source did not come back within its reconnect window'), windowMs);
    stream.holdTimer.unref();
  }

  /**
   * Ends the stream's targets as soon as the stream is disabled or deleted, whether it is publishing or waiting
   * for its publisher (this process's API kicks the publisher too, another instance's only shows here).
   */
  private async watch(stream: LiveStream): Promise<void> {
    const record = await this.deps.streamOf(stream.streamId);
    if (stream.ended || stream.unwatch) return;
    const { directory } = this.deps;
    const playbackId = record?.playbackId;
    const check = () => {
      const entry = playbackId === undefined ? undefined : directory.get(playbackId);
      if (!entry || entry.disabled || entry.streamId !== stream.streamId) this.end(stream, 'stream disabled or deleted');
    };
    if (playbackId !== undefined) stream.unwatch = directory.onChange(playbackId, check);
    check(); // a change between the read and the subscription
  }

  /** Makes the stream's runners match its enabled targets in the database. */
  private async sync(stream: LiveStream): Promise<void> {
    const targets = await this.deps.targets.listForStream(stream.streamId);
    if (stream.ended) return;
    const wanted = new Map(targets.filter((t) => t.enabled).map((t) => [t.id, t]));
    for (const [id, runner] of stream.runners) {
      const t = wanted.get(id);
      if (t && sameTarget(t, runner.target)) continue;
      this.remove(stream, runner, t ? 'target changed' : 'target disabled or deleted');
    }
    for (const t of wanted.values()) if (!stream.runners.has(t.id)) this.add(stream, t);
  }

  private add(stream: LiveStream, target: TargetRecord): void {
    const path = target.rendition === SOURCE_RENDITION ? stream.sourcePath : `${stream.sourcePath}/${target.rendition}`;
    const log = this.deps.log.child({ streamId: stream.streamId, targetId: target.id, host: hostOf(target.url), rendition: target.rendition });
    const runner = new TargetRunner(target, path, {
      connector: this.deps.connector, log, options: this.deps.options,
      onStateChange: (r, previous) => this.onStateChange(stream, r, previous),
    });
    stream.runners.set(target.id, runner);
    this.lastSession.delete(target.id);
    let set = this.byPath.get(path);
    if (!set) this.byPath.set(path, (set = new Set()));
    set.add(runner);
    this.sampler ??= setInterval(() => this.sample(), BITRATE_SAMPLE_MS).unref();
    if (this.deps.hub.stream(path)?.publisher) runner.pathUp();
  }

  private remove(stream: LiveStream, runner: TargetRunner, reason: string): void {
    runner.close(reason);
    const s = runner.status;
    this.lastSession.set(runner.target.id, { ...s, state: 'idle', bitrateOut: 0, connectedSince: null, nextAttemptAt: null });
    stream.runners.delete(runner.target.id);
    const set = this.byPath.get(runner.hubPath);
    set?.delete(runner);
    if (set?.size === 0) this.byPath.delete(runner.hubPath);
    if (this.byPath.size === 0) {
      clearInterval(this.sampler);
      this.sampler = undefined;
    }
  }

  private end(stream: LiveStream, reason: string): void {
    if (stream.ended) return;
    stream.ended = true;
    clearTimeout(stream.holdTimer);
    stream.unwatch?.();
    for (const runner of [...stream.runners.values()]) this.remove(stream, runner, reason);
    if (this.live.get(stream.streamId) === stream) this.live.delete(stream.streamId);
  }

  private sample(): void {
    for (const set of this.byPath.values()) for (const runner of set) runner.sample();
  }

  private onStateChange(stream: LiveStream, runner: TargetRunner, previous: TargetState): void {
    const state = runner.state;
    if (state === 'live') void this.notify('target.connected', stream, runner);
    else if (state === 'failed' && previous !== 'failed') void this.notify('target.failed', stream, runner);
  }

  private async notify(type: 'target.connected' | 'target.failed', stream: LiveStream, runner: TargetRunner): Promise<void> {
    try {
      const record = await this.deps.streamOf(stream.streamId);
      if (!record) return;
      await this.deps.events.publish(type, { stream: summarize(record), target: targetSummary(runner) });
    } catch (err) {
      this.deps.log.error({ err, type }, 'target webhook failed');
    }
  }
}

function sameTarget(a: TargetRecord, b: TargetRecord): boolean {
  return a.url === b.url && a.streamKey === b.streamKey && a.rendition === b.rendition && a.tlsVerify === b.tlsVerify;
}

function targetSummary(runner: TargetRunner): TargetSummary {
  const e = runner.lastError;
  return { id: runner.target.id, url: runner.target.url, rendition: runner.target.rendition, state: runner.state, lastError: e ? { class: e.class, message: e.message } : null };
}

/** Logs name the target's host, never its path (some ingests put a token there) or its key. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}
