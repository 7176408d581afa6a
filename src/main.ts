import { describeConfig } from './config/load-config.js';
import { preflight } from './preflight.js';
import { isOnAirError } from './core/errors.js';
import { tuneGc } from './core/gc-tuning.js';
import { createLogger } from './core/logger.js';
import { announcedUrls } from './config/announced-urls.js';
import { workerCount } from './config/workers.js';
import cluster from 'node:cluster';

/** Graceful shutdown must finish within this; then the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 5_000;

async function main(): Promise<void> {
  const gcFlags = tuneGc();
  const argv = process.argv.slice(2);
  const checked = await preflight(argv, process.env);
  if ('exitCode' in checked) process.exit(checked.exitCode);
  const { config } = checked;
  const log = createLogger(config.logLevel);
  // --workers N: this process becomes the primary (workers-primary.ts); each worker runs this file again.
  if (cluster.isWorker) return (await import('./workers-worker.js')).runWorker(config, log);
  const workers = workerCount(config.workers);
  log.info({ config: describeConfig(config), v8: gcFlags }, 'effective config');
  if (workers > 1) return (await import('./workers-primary.js')).runPrimary(config, log, workers);
  // Loaded after the checks: the server's modules (HTTP, database, media) take a while to load, and a wrong flag
  // or a port in use is answered before that.
  const { startOnAir } = await import('./app.js');
  const onair = await startOnAir(config, log);
  if (onair.generatedApiToken) {
    // Printed once, straight to stdout (never through the logger, which redacts tokens): it is stored hashed.
    console.log(`\nAdmin API token (shown once, store it now): ${onair.generatedApiToken}`);
    console.log(`(Lost it? Stop the server and run: npm run onair -- admin-token rotate ${config.databaseUrl ? '--database-url <url>' : `--data-dir ${config.dataDir}`})\n`);
  }
  log.info(announcedUrls(config, onair.ports), 'OnAir is running: point your encoder at the rtmp URL with your stream key');

  let stopping = false;
  /** `exitCode` 2: stopped for something the operator must fix (like a bad flag at start). */
  const stop = (signal: string, exitCode = 0): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    onair.close().then(() => process.exit(exitCode), (err) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  // `onair drain`: once its last publisher is gone the node leaves like on SIGTERM.
  void onair.cluster.drained.then(() => stop('drained'));
  // Another process runs under this node id (started while this one was cut off from Redis): leave, as a start
  // under a taken id does.
  onair.cluster.coordinator.onIdClash(() => stop('node id in use by another process', 2));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  // What an operator can fix (a port, a flag, a file, a locked data dir) is one line; anything else is a bug: the stack.
  if (isOnAirError(err)) {
    console.error(`onair: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
