import { Command, CommanderError } from 'commander';
import { isOnAirError } from '../core/errors.js';
import type { CliDatabaseCommands, CliIo, RotateOptions } from './cli-io.js';
import { addTargetsCommands } from './targets-commands.js';

export type { CliIo } from './cli-io.js';

interface StreamJson {
  id: string;
  name: string;
  status: string;
  streamKey?: string;
  playbackId: string;
  ingest: { rtmp: string; rtmps?: string; srt?: string };
  playback: { hls?: string; rtmp: string };
}

class ApiCallError extends Error {}

/**
 * A small client of the OnAir API for operators: `onair streams create|list|get|reset-key|delete`, `onair targets ...`, and
 * `onair admin-token rotate`, which works on the database directly (the way back in when the token is lost).
 */
export async function runCli(argv: readonly string[], io: CliIo, db?: CliDatabaseCommands): Promise<number> {
  const program = new Command('onair')
    .description('OnAir control-plane client')
    .option('--api-url <url>', 'API base URL (env ONAIR_API_URL)', io.env.ONAIR_API_URL ?? 'http://localhost:8080')
    // No default here: commander prints defaults in --help, and this one would be the admin token in clear.
    .option('--token <token>', 'admin bearer token (env ONAIR_API_TOKEN)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const { apiUrl, token = io.env.ONAIR_API_TOKEN } = program.opts<{ apiUrl: string; token?: string }>();
    if (!token) throw new ApiCallError('no token: set ONAIR_API_TOKEN or pass --token');
    const res = await fetch(`${apiUrl.replace(/\/+$/, '')}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((e: Error) => {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND...) is in its cause.
      const reason = (e.cause as { code?: string } | undefined)?.code ?? e.message;
      // The usual cause is a server on another --http-port or host than the default the CLI assumes.
      throw new ApiCallError(`cannot reach ${apiUrl} (${reason}): is the server running there? Point the CLI at it with --api-url or ONAIR_API_URL`);
    });
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const e = (json as { error?: { code: string; message: string } } | null)?.error;
      throw new ApiCallError(e ? `${e.code}: ${e.message}` : `HTTP ${res.status}`);
    }
    return json;
  };

  const printStream = (s: StreamJson): void => {
    io.out(`ID:          ${s.id}`);
    io.out(`Name:        ${s.name}`);
    io.out(`Status:      ${s.status}`);
    io.out(`OBS Server:  ${s.ingest.rtmp}`);
    if (s.ingest.rtmps) io.out(`OBS Server (TLS): ${s.ingest.rtmps}`);
    if (s.streamKey) io.out(`Stream Key:  ${s.streamKey}`);
    // An SRT encoder takes one URL, the key inside its stream id (OBS: Server, Stream Key empty).
    if (s.streamKey && s.ingest.srt) io.out(`SRT Server:  ${s.ingest.srt}?streamid=#!::r=live/${s.streamKey},m=publish`);
    io.out(`Playback ID: ${s.playbackId}`);
    // Absent when HLS is off on the server (--hls off).
    if (s.playback.hls) io.out(`HLS:         ${s.playback.hls}`);
  };

  const streams = program.command('streams').description('manage live streams');
  streams.command('create').description('create a live stream')
    .option('--name <name>', 'display name')
    .option('--signed', 'require playback tokens')
    .option('--reconnect-window <sec>', 'seconds an encoder may reconnect', (v) => Number.parseInt(v, 10))
    .action(async (o: { name?: string; signed?: boolean; reconnectWindow?: number }) => {
      const settings = { ...(o.signed ? { playbackPolicy: 'signed' } : {}), ...(o.reconnectWindow !== undefined ? { reconnectWindowSec: o.reconnectWindow } : {}) };
      printStream(await call('POST', '/streams', { ...(o.name ? { name: o.name } : {}), settings }) as StreamJson);
    });
  streams.command('list').description('list streams (newest first)')
    .option('--limit <n>', 'page size', (v) => Number.parseInt(v, 10), 25)
    .action(async (o: { limit: number }) => {
      const page = await call('GET', `/streams?limit=${o.limit}`) as { data: StreamJson[]; nextCursor: string | null };
      for (const s of page.data) io.out(`${s.id}  ${s.status.padEnd(8)}  ${s.playbackId}  ${s.name}`);
      if (page.nextCursor) io.out(`(more: --limit larger than ${o.limit})`);
    });
  streams.command('get <id>').description('show a stream with its OBS settings')
    .action(async (id: string) => printStream(await call('GET', `/streams/${encodeURIComponent(id)}`) as StreamJson));
  streams.command('reset-key <id>').description('issue a new stream key (the old one stops working)')
    .action(async (id: string) => printStream(await call('POST', `/streams/${encodeURIComponent(id)}/reset-key`) as StreamJson));
  streams.command('delete <id>').description('delete a stream')
    .action(async (id: string) => {
      await call('DELETE', `/streams/${encodeURIComponent(id)}`);
      io.out(`deleted ${id}`);
    });

  addTargetsCommands(program, call, io.out);

  program.command('drain').description('drain the node at --api-url: refuse new publishers, close the live ones (they reconnect elsewhere), exit when empty')
    .action(async () => {
      const r = await call('POST', '/admin/drain') as { nodeId: string; publishers: number };
      io.out(`draining ${r.nodeId}: ${r.publishers} publisher(s) closed; the node exits when none is left`);
    });

  const adminToken = program.command('admin-token').description('the admin API token, on the database itself (no running server needed)');
  let rotated = 0;
  adminToken.command('rotate').description('replace the admin token with a new one and print it (the old one stops working)')
    .option('--data-dir <dir>', "the server's data dir (env ONAIR_DATA_DIR; default ./data); the server must be stopped")
    .option('--database-url <url>', 'PostgreSQL instead of the embedded database (env DATABASE_URL)')
    .option('--config <file>', "the server's config file, for its dataDir / databaseUrl")
    .action(async (o: RotateOptions) => {
      if (!db) {
        io.err('error: admin-token rotate works on the database; run it as `onair` (bin/onair.mjs), not through the API client alone');
        rotated = 1;
        return;
      }
      rotated = await db.rotateAdminToken(o, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    if (rotated !== 0) return rotated;
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ApiCallError || isOnAirError(err)) {
      io.err(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
