import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegPublish } from './clients.js';
import { jsonLogLines, ownerAndOtherWorker } from './json-log.js';
import { startTestPostgres, type TestPostgres } from './postgres.js';
import { run, waitFor, type Proc } from './proc.js';

/** The fields of a `--workers` server's log lines that the tests read. */
export interface WorkersLogLine {
  msg?: string;
  worker?: number;
  pid?: number;
  path?: string;
  rtmp?: string;
  http?: string;
  internal?: { http: number; rtmp: number };
}

export interface WorkersServer {
  readonly proc: Proc;
  readonly pg: TestPostgres;
  /** Its data directory (removed by close). */
  readonly dataDir: string;
  /** The shared HTTP port's base URL (no trailing slash) and the port. */
  readonly http: string;
  readonly httpPort: number;
  /** The shared RTMP port's base URL, without the application (`rtmp://127.0.0.1:port`). */
  readonly rtmp: string;
  lines(): WorkersLogLine[];
  /** An API call with the server's token on `base` (the shared port unless told); fails the test on an error status. */
  api<T>(method: string, path: string, body?: unknown, base?: string): Promise<T>;
  /** Kills the server and `also` (publishers, players), stops its PostgreSQL, removes its data directory. */
  close(also?: readonly (Proc | undefined)[]): Promise<void>;
}

/**
 * `onair --workers 2` as its own process (a primary and two workers) on a PostgreSQL of its own, with `--auth keys`,
 * JSON logs at info and `flags` added; resolves once the primary says it is running.
 */
export async function startWorkersServer(apiToken: string, flags: readonly string[], timeoutMs = 240_000): Promise<WorkersServer> {
  const pg = await startTestPostgres();
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-workers-'));
  const proc = run(process.execPath, ['--import', 'tsx', 'src/main.ts', '--workers', '2', '--database-url', pg.url, '--host', '127.0.0.1',
    '--rtmp-port', '0', '--http-port', '0', '--srt-port', '0', '--auth', 'keys', '--log-level', 'info', '--data-dir', dataDir,
    '--api-token', apiToken, ...flags], { timeoutMs });
  const lines = (): WorkersLogLine[] => jsonLogLines<WorkersLogLine>(proc.stdout());
  const stop = async (): Promise<void> => {
    await proc.kill('SIGTERM');
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const running = await waitFor('the primary running', () => lines().find((l) => l.msg?.startsWith('OnAir is running') && l.rtmp), 120_000, 200)
    .catch(async (err: Error) => {
      await stop();
      throw new Error(`${err.message}: ${proc.stderr().slice(-2000)}`);
    });
  const http = running.http!.replace(/\/$/, '');
  return {
    proc, pg, dataDir, http, httpPort: Number(new URL(http).port), rtmp: running.rtmp!.replace(/\/live$/, ''), lines,
    async api<T>(method: string, path: string, body?: unknown, base = http): Promise<T> {
      const res = await fetch(`${base}/api/v1${path}`, {
        method, headers: { authorization: `Bearer ${apiToken}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    },
    async close(also = []) {
      await Promise.all(also.map((p) => p?.kill('SIGKILL')));
      await stop();
    },
  };
}

/**
 * ffmpeg publishing to a new stream on the shared RTMP port; resolves once a worker says `publish started`, with the
 * `worker ready` lines (pid, loopback ports) of the worker that owns the stream and of the other.
 */
export async function publishToWorkers(server: WorkersServer, streamKey: string): Promise<{ pub: Proc; owner: WorkersLogLine; other: WorkersLogLine }> {
  const pub = await ffmpegPublish(`${server.rtmp}/live/${streamKey}`);
  const started = await waitFor('the publish', () => server.lines().find((l) => l.msg === 'publish started'), 30_000, 100);
  const { owner, other } = ownerAndOtherWorker(server.lines(), started.worker);
  assert.ok(owner?.internal?.http && other?.internal?.http, 'both workers\' internal ports logged');
  return { pub, owner, other };
}
