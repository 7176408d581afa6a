/**
 * The one database contract every store uses. Both implementations (embedded PGlite, PostgreSQL pool) speak
 * the same SQL with `$1` placeholders, so a store never knows which one it talks to.
 */
export interface Queryable {
  /** Runs one statement (no `;`-separated batches: PGlite's extended protocol takes one). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** What a LISTEN subscriber hears (see Database.listen). */
export interface NotificationHandlers {
  /** One NOTIFY payload on the channel, after the notifying transaction committed. */
  onNotify(payload: string): void;
  /** Notifications may have been missed (the listening connection was lost and is back): re-read what you cache. */
  onGap(): void;
  /** The listening connection failed (it is retried); for the caller's log. */
  onError?(err: unknown): void;
}

export interface TransactionOptions {
  /** No per-statement timeout (migrations: long on a big database, and only the start waits on them). */
  readonly unbounded?: boolean;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<R>(fn: (tx: Queryable) => Promise<R>, options?: TransactionOptions): Promise<R>;
  /**
   * LISTEN on `channel` until the returned function is called (or the database closes). Optional: without it
   * a cache of the database polls. Resolves once listening, or once the first attempt failed (then retried).
   */
  listen?(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>>;
  /** Idempotent; queries after close reject with ONAIR_ERR_CLOSED. */
  close(): Promise<void>;
}
