import type { Database, NotificationHandlers, Queryable } from '../../src/db/database.js';

/** Every statement a Database ran, in order (a transaction's statements after a `BEGIN` marker). */
export interface QueryLog {
  readonly statements: string[];
  /** Wraps a Database so every statement is recorded here; pass to startOnAir's `wrapDatabase`. */
  wrap(db: Database): Database;
}

export function queryLog(): QueryLog {
  const statements: string[] = [];
  const record = (q: Queryable): Queryable => ({
    query: <T>(sql: string, params?: readonly unknown[]) => {
      statements.push(sql);
      return q.query<T>(sql, params);
    },
  });
  return {
    statements,
    wrap: (db) => ({
      kind: db.kind,
      query: record(db).query,
      transaction: (fn) => {
        statements.push('BEGIN');
        return db.transaction((tx) => fn(record(tx)));
      },
      ...(db.listen ? { listen: (channel: string, handlers: NotificationHandlers) => db.listen!(channel, handlers) } : {}),
      close: () => db.close(),
    }),
  };
}
