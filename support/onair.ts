import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config/load-config.js';
import type { Config } from '../src/config/schema.js';
import { createLogger } from '../src/core/logger.js';
import { startOnAir, type RunningOnAir, type StartOptions } from '../src/app.js';
import { seedEmbeddedDatabase } from './embedded-db-template.js';

/** The admin bearer token of every test server. */
export const TEST_API_TOKEN = 'test-admin-token-0123456789';

export interface TestServer extends RunningOnAir {
  readonly config: Config;
  /** Every log line the server wrote (JSON strings), for "never logs the key" checks. */
  readonly logs: string[];
  rtmpUrl(name: string): string;
  httpUrl(path: string): string;
}

/** Starts OnAir in-process on ephemeral ports with a private data dir and captured logs. */
export async function startTestServer(flags: Record<string, string | number> = {}, options: StartOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-test-'));
  const argv = Object.entries({ 'rtmp-port': 0, 'http-port': 0, 'rtmps-port': 0, 'srt-port': 0, host: '127.0.0.1', 'data-dir': dataDir, auth: 'open', 'log-level': 'debug', 'api-token': TEST_API_TOKEN, ...flags })
    .flatMap(([k, v]) => [`--${k}`, String(v)]);
  const config = loadConfig({ argv, env: {} });
  // A data dir of our own on the embedded database: start from a copy of the migrated template, not initdb.
  if (config.dataDir === dataDir && !config.databaseUrl) await seedEmbeddedDatabase(dataDir);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(line);
      if (process.env.ONAIR_TEST_LOGS) process.stderr.write(chunk);
      cb();
    },
  });
  const onair = await startOnAir(config, createLogger(config.logLevel, sink), options).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true }); // a failed start (a port in use) leaves no data dir behind
    throw err;
  });
  return {
    ...onair,
    config,
    logs,
    rtmpUrl: (name) => `rtmp://127.0.0.1:${onair.ports.rtmp}/live/${name}`,
    httpUrl: (path) => `http://127.0.0.1:${onair.ports.http}${path}`,
    close: async () => {
      await onair.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
