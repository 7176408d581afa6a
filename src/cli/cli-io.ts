/** Where a CLI command writes, and the environment it reads (tests pass their own). */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** `onair admin-token rotate`'s options: where the database is. */
export interface RotateOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly config?: string;
}

/**
 * Commands that work on the database itself rather than through the API. cli/ is an API client and knows no
 * database (the layering rule), so the composition (src/onair-command.ts) hands these in.
 */
export interface CliDatabaseCommands {
  rotateAdminToken(o: RotateOptions, io: CliIo): Promise<number>;
}
