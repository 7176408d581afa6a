import type { TargetErrorClass } from './target-types.js';

/**
 * The port between the re-push service and the protocol that carries it (servers/rtmp's connector, wired in
 * the composition root): the service decides when and where to push, the connector moves the bytes.
 */
export interface PushRequest {
  readonly url: string;
  readonly streamKey: string;
  readonly tlsVerify: boolean;
  /** Hub path to relay (the source or a rendition); the push goes on across its publishers until closed. */
  readonly hubPath: string;
  /** Deadline of each connection step (connect, publish). */
  readonly timeoutMs: number;
  /** The target's queue: bytes it may hold before it is dropped to the next keyframe. */
  readonly budgetBytes: number;
  /** Over budget this long => the connection is ended as a `timeout` (the target stopped reading). */
  readonly slowTimeoutMs: number;
}

export interface PushFailure {
  readonly class: TargetErrorClass;
  readonly message: string;
}

export interface PushHooks {
  /** Publishing started and media flows. */
  onLive(): void;
  /** The attempt or the live connection ended on its own (never after close()). Called at most once. */
  onEnd(failure: PushFailure): void;
}

export interface PushHandle {
  /** Bytes sent so far. */
  readonly bytesOut: number;
  /** Frames the hub skipped for this connection. */
  readonly droppedFrames: number;
  /** Stops the attempt or ends publishing politely; no hook is called afterwards. Idempotent. */
  close(reason: string): void;
}

export type TargetConnector = (req: PushRequest, hooks: PushHooks) => PushHandle;
