import type { Peer, RejectReasonCode, SrtConnectionStats, StreamIdMode } from '../../protocols/srt/index.js';

/** What a caller asked for, from its stream ID. */
export interface SrtCallerRequest {
  readonly mode: StreamIdMode;
  /** The resource as the caller named it (`live/KEY`, maybe with `?query`): validated by auth. */
  readonly resource: string;
  readonly peer: Peer;
}

/** The server's side of an accepted session, handed to the acceptor's `open`. */
export interface SrtSessionIo {
  /** Queues one payload (≤ 1456 bytes) for a `request` caller; false when its send buffer is full. */
  write(payload: Buffer): boolean;
  /** Ends the session from our side (a shutdown goes to the peer). */
  close(reason: string): void;
  /** Bytes queued for the peer and not yet acknowledged. */
  readonly pendingBytes: number;
  stats(): SrtConnectionStats;
}

/** What the acceptor does with a session's traffic. */
export interface SrtSessionHandlers {
  /** An in-order payload from a publishing caller. */
  onPayload(payload: Buffer): void;
  /** The session ended (either side); called once. */
  onClose(reason: string): void;
}

export type SrtOpenResult = SrtSessionHandlers | { readonly refuse: RejectReasonCode; readonly detail: string };

export type SrtAdmission =
  | {
    readonly ok: true;
    /** The hub path, for logs and stats (never a stream key). */
    readonly path: string;
    /** Passphrase the caller must encrypt with; null for none. */
    readonly passphrase: string | null;
    /** Attaches the session once keys are settled; may still refuse (e.g. the name is taken). */
    open(io: SrtSessionIo): SrtOpenResult;
  }
  | { readonly ok: false; readonly reason: RejectReasonCode; readonly detail: string };

/** Decides callers: the SRT server asks before it answers a conclusion. */
export interface SrtAcceptor {
  admit(req: SrtCallerRequest): Promise<SrtAdmission>;
}
