import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, waitFor, type Proc } from './proc.js';
import { freePort, retryIfPortTaken } from '../../support/free-port.js';
import { nginxArgs, nginxTempPaths } from '../../support/nginx-rtmp.js';

export interface NginxHttp {
  readonly port: number;
  /** nginx's working directory (its logs are under logs/). */
  readonly dir: string;
  url(path: string): string;
  stop(): Promise<void>;
}

/**
 * Debian's nginx in the foreground, one process, in a fresh directory, listening on a free loopback port: `http`
 * gives the inside of its `http {}` block after the temp paths (its `listen` is `127.0.0.1:<port>`).
 */
export async function startNginxHttp(name: string, http: (dir: string, port: number) => string): Promise<NginxHttp> {
  const dir = mkdtempSync(join(tmpdir(), `onair-nginx-${name}-`));
  mkdirSync(join(dir, 'logs'));
  const pidFile = join(dir, 'nginx.pid');
  // Should another program bind the port first, nginx exits at its start and starts again on another one. Its pid file
  // is written once its port is bound, so an answer on the port counts only with it (another program holding the port
  // answers too).
  return retryIfPortTaken(async () => {
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), `
daemon off;
master_process off;
worker_processes 1;
error_log ${dir}/logs/error.log warn;
pid ${pidFile};
events { worker_connections 4096; }
http {
  ${nginxTempPaths(dir)}
  ${http(dir, port)}
}
`);
    rmSync(pidFile, { force: true });
    const proc = run('/usr/sbin/nginx', nginxArgs(dir), { timeoutMs: 300_000 });
    // A bound, not an expectation (nginx listens within milliseconds when idle; a loaded machine is another matter).
    const state = await waitFor('nginx listening', async () => {
      if (proc.child.exitCode !== null) return 'exited';
      return existsSync(pidFile) && (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) !== undefined ? 'up' : undefined;
    }, 30_000, 100);
    if (state === 'up') return nginxAt(port, dir, proc);
    throw new Error(`nginx exited at its start: ${proc.stderr().slice(-2000)}`);
  }, (err) => err.message.startsWith('nginx exited at its start'));
}

function nginxAt(port: number, dir: string, proc: Proc): NginxHttp {
  return {
    port,
    dir,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    stop: async () => {
      await proc.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
