/** One page of a keyset-paginated list. */
export interface Page<T> {
  readonly items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * Keyset pagination cursor over (created_at DESC, id DESC): stable while rows are inserted, unlike
 * offsets. Opaque base64url so clients do not build them; a malformed cursor decodes to null (-> 400).
 */
export interface CursorPosition {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(`${pos.createdAt.toISOString()}|${pos.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  if (bar < 0) return null;
  const createdAt = new Date(text.slice(0, bar));
  const id = text.slice(bar + 1);
  if (Number.isNaN(createdAt.getTime()) || !/^[a-z]{3}_[a-z2-7]{20}$/.test(id)) return null;
  return { createdAt, id };
}
