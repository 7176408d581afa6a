import type { Logger } from '../../core/logger.js';
import { FAILED_AFTER_ATTEMPTS, MAX_ERROR_MESSAGE_LENGTH } from './limits.js';
import { retryDelayMs, type RetryPolicy } from './retry-delay.js';
import type { PushFailure, PushHandle, TargetConnector } from './target-connector.js';
import { withoutKey } from './target-input.js';
import type { TargetError, TargetRecord, TargetState, TargetStatus } from './target-types.js';

export interface TargetRunnerOptions {
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly budgetBytes: number;
  readonly slowTimeoutMs: number;
}

export interface TargetRunnerDeps {
  readonly connector: TargetConnector;
  readonly log: Logger;
  readonly options: TargetRunnerOptions;
  /** Called after every state change (the service turns `live` and `failed` into webhooks). Must not throw. */
  readonly onStateChange: (runner: TargetRunner, previous: TargetState) => void;
  readonly random?: () => number;
  readonly now?: () => number;
}

/**
 * One target of one live stream: connects once its hub path has a publisher, and on any failure or drop
 * retries with capped exponential backoff and jitter until the service says the path is gone (the stream ended,
 * or its rendition stopped while the source goes on); a source reconnecting within its window is not that.
 * Knows nothing of RTMP (the connector does) and nothing of other targets: whatever happens here stays here.
 */
export class TargetRunner {
  private stateRef: TargetState = 'idle';
  private handle: PushHandle | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pathLive = false;
  private closed = false;
  /** Consecutive failed attempts (0 once live). */
  private failures = 0;
  private attempts = 0;
  private lastErrorRef: TargetError | null = null;
  private connectedSinceRef: Date | null = null;
  private nextAttemptRef: Date | null = null;
  /** Counters of connections that have ended. */
  private bytesDone = 0;
  private droppedDone = 0;
  private sampleBytes = 0;
  private sampleAt = 0;
  private bitrate = 0;
  private readonly now: () => number;

  constructor(
    readonly target: TargetRecord,
    readonly hubPath: string,
    private readonly deps: TargetRunnerDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  get state(): TargetState {
    return this.stateRef;
  }

  get lastError(): TargetError | null {
    return this.lastErrorRef;
  }

  get status(): TargetStatus {
    return {
      state: this.stateRef,
      lastError: this.lastErrorRef,
      connectedSince: this.connectedSinceRef,
      bitrateOut: this.stateRef === 'live' ? this.bitrate : 0,
      bytesOut: this.bytesOut,
      droppedFrames: this.droppedDone + (this.handle?.droppedFrames ?? 0),
      reconnects: Math.max(0, this.attempts - 1),
      nextAttemptAt: this.nextAttemptRef,
    };
  }

  private get bytesOut(): number {
    return this.bytesDone + (this.handle?.bytesOut ?? 0);
  }

  /** The hub path got a publisher: start pushing (no-op if already running). */
  pathUp(): void {
    if (this.closed || this.pathLive) return;
    this.pathLive = true;
    this.failures = 0;
    this.attempt();
  }

  /** The stream ended, or the rendition stopped: stop and go idle (the last error stays visible). */
  pathDown(reason: string): void {
    if (!this.pathLive) return;
    this.pathLive = false;
    this.stop(reason);
    this.setState('idle');
  }

  /** Stops for good (target deleted, disabled or changed; stream over; shutdown). Idempotent. */
  close(reason: string): void {
    if (this.closed) return;
    this.pathDown(reason);
    this.closed = true;
  }

  /** Takes a bitrate sample: bits/s since the previous one. */
  sample(): void {
    const now = this.now();
    const bytes = this.bytesOut;
    if (this.sampleAt > 0 && now > this.sampleAt) this.bitrate = Math.round(((bytes - this.sampleBytes) * 8 * 1000) / (now - this.sampleAt));
    this.sampleBytes = bytes;
    this.sampleAt = now;
  }

  private attempt(): void {
    this.retryTimer = undefined;
    this.nextAttemptRef = null;
    if (this.closed || !this.pathLive) return;
    this.attempts++;
    if (this.stateRef === 'idle') this.setState('connecting');
    const { options } = this.deps;
    // The connector may call a hook before it has returned its handle (an invalid URL fails at once).
    const attempt: { handle?: PushHandle } = {};
    const current = () => attempt.handle !== undefined && this.handle === attempt.handle;
    attempt.handle = this.deps.connector(
      {
        url: this.target.url, streamKey: this.target.streamKey, tlsVerify: this.target.tlsVerify, hubPath: this.hubPath,
        timeoutMs: options.timeoutMs, budgetBytes: options.budgetBytes, slowTimeoutMs: options.slowTimeoutMs,
      },
      {
        onLive: () => {
          if (current()) this.onLive();
        },
        onEnd: (failure) => {
          if (attempt.handle === undefined) queueMicrotask(() => current() && this.onEnd(failure));
          else if (current()) this.onEnd(failure);
        },
      },
    );
    this.handle = attempt.handle;
  }

  private onLive(): void {
    this.failures = 0;
    this.connectedSinceRef = new Date(this.now());
    this.sampleBytes = this.bytesOut;
    this.sampleAt = this.now();
    this.bitrate = 0;
    this.deps.log.info({ attempt: this.attempts }, 'target live');
    this.setState('live');
  }

  private onEnd(failure: PushFailure): void {
    this.collect();
    this.connectedSinceRef = null;
    this.failures++;
    const message = withoutKey(failure.message, this.target.streamKey).slice(0, MAX_ERROR_MESSAGE_LENGTH);
    this.lastErrorRef = { class: failure.class, message, at: new Date(this.now()) };
    const delay = retryDelayMs(this.failures, this.deps.options.retry, this.deps.random);
    this.deps.log.warn({ class: failure.class, reason: message, failures: this.failures, retryInMs: delay }, 'target failed');
    this.nextAttemptRef = new Date(this.now() + delay);
    this.retryTimer = setTimeout(() => this.attempt(), delay);
    this.retryTimer.unref();
    const giveUp = failure.class === 'auth' || this.failures >= FAILED_AFTER_ATTEMPTS;
    // Once failed, a target stays failed through its retries until it is live again.
    this.setState(giveUp || this.stateRef === 'failed' ? 'failed' : 'reconnecting');
  }

  private stop(reason: string): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.nextAttemptRef = null;
    this.connectedSinceRef = null;
    const handle = this.handle;
    this.collect();
    handle?.close(reason);
  }

  /** Folds the current connection's counters into the totals and forgets it. */
  private collect(): void {
    if (!this.handle) return;
    this.bytesDone += this.handle.bytesOut;
    this.droppedDone += this.handle.droppedFrames;
    this.handle = undefined;
  }

  private setState(next: TargetState): void {
    const previous = this.stateRef;
    if (previous === next) return;
    this.stateRef = next;
    this.deps.onStateChange(this, previous);
  }
}
