import { describeConfig, helpText, loadConfig } from './config/load-config.js';
import { tuneGc } from './core/gc-tuning.js';
import { createLogger } from './core/logger.js';
import { startOnAir } from './app.js';

/** Graceful shutdown must finish within this; then the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 5_000;

async function main(): Promise<void> {
  const gcFlags = tuneGc();
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText());
    return;
  }
  let config;
  try {
    config = loadConfig({ argv, env: process.env });
  } catch (err) {
    console.error(`onair: ${(err as Error).message}`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  log.info({ config: describeConfig(config), v8: gcFlags }, 'effective config');
  const onair = await startOnAir(config, log);
  if (onair.generatedApiToken) {
    // Printed once, straight to stdout (never through the logger, which redacts tokens): it is stored hashed.
    console.log(`\nAdmin API token (shown once, store it now): ${onair.generatedApiToken}\n`);
  }
  const host = config.publicUrl ? new URL(config.publicUrl).hostname : 'localhost';
  log.info({
    rtmp: `rtmp://${host}:${onair.ports.rtmp}/live`,
    rtmps: onair.ports.rtmps ? `rtmps://${host}:${onair.ports.rtmps}/live` : undefined,
    http: `http://${host}:${onair.ports.http}`,
    dashboard: `http://${host}:${onair.ports.http}/`,
  }, 'OnAir is running: point your encoder at the rtmp URL with your stream key');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    onair.close().then(() => process.exit(0), (err) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
