import { helpText, loadConfig } from './config/load-config.js';
import { onairVersion } from './config/help-text.js';
import type { Config } from './config/schema.js';
import { checkAuthSettings, readTlsFiles } from './config/startup-checks.js';
import { isOnAirError } from './core/errors.js';
import { checkDatabaseFree } from './db/embedded-location.js';
import { checkPortsFree, listenClaims } from './servers/net/port-preflight.js';
import { trustProxyOption } from './servers/http/trust-proxy.js';
import { WebhookTargetPolicy } from './services/webhooks/target-policy.js';
import { checkWorkerSettings } from './config/workers.js';
import cluster from 'node:cluster';

export type PreflightResult = { readonly exitCode: number } | { readonly config: Config };

/**
 * What the server checks before it builds or creates anything: --help and --version, the flags and config
 * file, the TLS files and the ports. Each problem is one line on stderr naming what to change. `npm start`
 * runs this from the sources before a build, so a port in use is reported at once, not after the compile.
 */
export async function preflight(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<PreflightResult> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText());
    return { exitCode: 0 };
  }
  if (argv.includes('--version')) {
    console.log(onairVersion());
    return { exitCode: 0 };
  }
  try {
    const config = loadConfig({ argv, env });
    const tls = readTlsFiles(config);
    checkAuthSettings(config);
    checkWorkerSettings(config);
    checkDatabaseFree(config);
    trustProxyOption(config.trustProxy);
    new WebhookTargetPolicy(config.webhookAllowNetworks); // parses the flag: a bad CIDR is a start-up error
    // A worker's ports are the primary's (checked there once); an exclusive test bind would find them taken.
    if (!cluster.isWorker) await checkPortsFree(config.host, listenClaims(config, tls !== undefined));
    return { config };
  } catch (err) {
    if (!isOnAirError(err)) throw err;
    console.error(`onair: ${err.message}`);
    return { exitCode: 2 };
  }
}
