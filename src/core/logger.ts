import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths the logger censors wherever they appear, so secrets stay out of logs by configuration, not by
 * discipline. Stream names are logged only through `redactName` (a stream key is a publish name).
 */
export const REDACTED_PATHS = [
  'streamKey', '*.streamKey', 'key', '*.key', 'token', '*.token', 'apiToken', '*.apiToken', 'secret', '*.secret',
  'password', '*.password', 'passphrase', '*.passphrase', 'authorization', '*.authorization',
  'req.headers.authorization', 'tlsKey', '*.tlsKey', 'sig', '*.sig', 'query', '*.query',
];

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A printable, non-reversible stand-in for a name that may be a secret (first 4 characters + length). */
export function redactName(name: string): string {
  if (name.length <= 6) return `${name.slice(0, 2)}…(${name.length})`;
  return `${name.slice(0, 4)}…(${name.length})`;
}
