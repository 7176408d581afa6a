/**
 * The one database contract every store uses. Both implementations (embedded PGlite, PostgreSQL pool) speak
 * the same SQL with `$1` placeholders, so a store never knows which one it talks to.
 */
export interface Queryable {
  /** Runs one statement (no `;`-separated batches: PGlite's extended protocol takes one). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R>;
  /** Idempotent; queries after close reject with ONAIR_ERR_CLOSED. */
  close(): Promise<void>;
}
