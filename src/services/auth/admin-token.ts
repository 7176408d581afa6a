import type { Database } from '../../db/database.js';
import { constantTimeEqual, newId, newSecret, sha256Hex } from '../random-ids.js';

/** Name of the stored admin token row. */
const ADMIN = 'admin';

/**
 * Checks the control-plane bearer token. The token comes from ONAIR_API_TOKEN, else one is generated at
 * first start and only its sha256 is stored; `init` returns the plaintext that one time so the caller can
 * print it. Comparison is constant time over the hashes.
 */
export class AdminTokenAuthenticator {
  private constructor(private readonly tokenHash: string) {}

  static async init(db: Database, envToken: string): Promise<{ auth: AdminTokenAuthenticator; generatedToken: string | null }> {
    if (envToken) return { auth: new AdminTokenAuthenticator(sha256Hex(envToken)), generatedToken: null };
    const token = newSecret('onair_');
    const inserted = await db.query(
      `INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING id`,
      [newId('tok'), ADMIN, sha256Hex(token), new Date()]);
    const rows = await db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE name = $1', [ADMIN]);
    return { auth: new AdminTokenAuthenticator(rows[0]!.token_hash), generatedToken: inserted.length > 0 ? token : null };
  }

  /**
   * Replaces the stored admin token with a new one and returns it (`onair admin-token rotate`): the way back in
   * for an operator who lost the token printed at the first start. A server reads the hash at start, so a
   * running one keeps accepting the old token until it restarts.
   */
  static async rotate(db: Database): Promise<string> {
    const token = newSecret('onair_');
    await db.query(
      `INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at`,
      [newId('tok'), ADMIN, sha256Hex(token), new Date()]);
    return token;
  }

  /** Drops a generated token that was never shown (the start failed), so the next start makes and prints one. */
  static async forget(db: Database, token: string): Promise<void> {
    await db.query('DELETE FROM api_tokens WHERE name = $1 AND token_hash = $2', [ADMIN, sha256Hex(token)]);
  }

  verify(token: string): boolean {
    return constantTimeEqual(sha256Hex(token), this.tokenHash);
  }
}
