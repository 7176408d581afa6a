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

  verify(token: string): boolean {
    return constantTimeEqual(sha256Hex(token), this.tokenHash);
  }
}
