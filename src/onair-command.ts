import type { CliIo } from './cli/cli-io.js';
import { runCli } from './cli/onair-cli.js';

/**
 * The `onair` command (bin/onair.mjs): the API client (cli/) plus the commands that work on the database
 * itself, composed here because cli/ knows no database. The database modules are loaded only when such a
 * command runs: they are heavy, and the `streams` commands never need them.
 */
export function runOnairCommand(argv: readonly string[], io: CliIo): Promise<number> {
  return runCli(argv, io, {
    rotateAdminToken: async (o, cmdIo) => (await import('./admin-token-rotate.js')).rotateAdminToken(o, cmdIo),
  });
}
