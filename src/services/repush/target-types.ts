/** Re-push targets: the stored resource, its runtime status and the error classes. */

/** The rendition name of the stream itself (relayed untouched); any other is a ladder rung's name. */
export const SOURCE_RENDITION = 'source';

/**
 * idle: the stream is not live (or the target is disabled, or its rung is not running);
 * connecting: first attempt of this live session; live: publishing;
 * reconnecting: a failure or a drop, retrying with backoff; failed: refused or failing repeatedly (still retried).
 */
export type TargetState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'failed';

/**
 * refused: TCP refused or unreachable; dns: the host does not resolve; tls: TLS handshake or certificate;
 * timeout: no answer in time, or the target stopped reading; auth: the server refused the app or key;
 * closed: the connection dropped; protocol: the server broke the protocol or answered an unexpected error.
 */
export type TargetErrorClass = 'refused' | 'dns' | 'tls' | 'timeout' | 'auth' | 'closed' | 'protocol';

export const TARGET_ERROR_CLASSES: readonly TargetErrorClass[] = ['refused', 'dns', 'tls', 'timeout', 'auth', 'closed', 'protocol'];
export const TARGET_STATES: readonly TargetState[] = ['idle', 'connecting', 'live', 'reconnecting', 'failed'];

export interface TargetRecord {
  readonly id: string;
  readonly streamId: string;
  /** rtmp(s)://host[:port]/app[/instance]: the "Server" field of OBS. */
  readonly url: string;
  /** Secret: the publish name. Never leaves the server (responses mask it, logs redact it). */
  readonly streamKey: string;
  readonly enabled: boolean;
  /** `source` or a ladder rung name (`live/<playbackId>/<name>` in the hub). */
  readonly rendition: string;
  /** RTMPS only: verify the certificate chain and host name (default true). */
  readonly tlsVerify: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface TargetError {
  readonly class: TargetErrorClass;
  /** Human-readable; the key is removed from it before it is stored. */
  readonly message: string;
  readonly at: Date;
}

/**
 * What a target is doing right now (kept in memory; a restart starts from idle). The counters and the last
 * error cover the stream's current live session, or its last one while the target is idle.
 */
export interface TargetStatus {
  readonly state: TargetState;
  readonly lastError: TargetError | null;
  readonly connectedSince: Date | null;
  /** bits/s over the last sample window; 0 unless live. */
  readonly bitrateOut: number;
  /** Bytes sent during the live session (all connections). */
  readonly bytesOut: number;
  /** Audio and video frames skipped because the target was behind (dropped to the next keyframe). */
  readonly droppedFrames: number;
  /** Connection attempts after the first during the live session. */
  readonly reconnects: number;
  /** When the next attempt is due (reconnecting / failed). */
  readonly nextAttemptAt: Date | null;
}

export const IDLE_STATUS: TargetStatus = {
  state: 'idle', lastError: null, connectedSince: null, bitrateOut: 0, bytesOut: 0, droppedFrames: 0, reconnects: 0, nextAttemptAt: null,
};

/** A target as webhooks carry it: no key. */
export interface TargetSummary {
  readonly id: string;
  readonly url: string;
  readonly rendition: string;
  readonly state: TargetState;
  readonly lastError: { readonly class: TargetErrorClass; readonly message: string } | null;
}
