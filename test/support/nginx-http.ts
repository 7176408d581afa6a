import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, waitFor } from './proc.js';
import { freePort } from '../../support/free-port.js';
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
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), `
daemon off;
master_process off;
worker_processes 1;
error_log ${dir}/logs/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  ${nginxTempPaths(dir)}
  ${http(dir, port)}
}
`);
  const proc = run('/usr/sbin/nginx', nginxArgs(dir), { timeoutMs: 300_000 });
  // A bound, not an expectation (nginx listens within milliseconds when idle; a loaded machine is another matter).
  await waitFor('nginx listening', async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) !== undefined, 30_000, 100);
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
