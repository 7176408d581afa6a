import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, waitFor, type Proc } from './proc.js';
import { freePort } from '../../support/free-port.js';
import { hlsCacheLocation, hlsCachePath } from '../../support/nginx-hls-cache.js';
import { nginxTempPaths } from '../../support/nginx-rtmp.js';

export interface NginxCache {
  readonly port: number;
  url(path: string): string;
  stop(): Promise<void>;
}

/** Debian's nginx (one process, foreground) with the README's cache in front of OnAir at `upstream`. */
export async function startNginxCache(upstream: string): Promise<NginxCache> {
  const dir = mkdtempSync(join(tmpdir(), 'onair-nginx-cache-'));
  mkdirSync(join(dir, 'logs'));
  const port = await freePort();
  const temp = nginxTempPaths(dir);
  writeFileSync(join(dir, 'nginx.conf'), `
daemon off;
master_process off;
worker_processes 1;
error_log ${dir}/logs/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  ${temp}
  ${hlsCachePath(`${dir}/cache`)}
  server {
    listen 127.0.0.1:${port};
    ${hlsCacheLocation(upstream)}
  }
}
`);
  const proc: Proc = run('/usr/sbin/nginx', ['-p', dir, '-e', `${dir}/logs/error.log`, '-c', join(dir, 'nginx.conf')], { timeoutMs: 300_000 });
  await waitFor('nginx listening', async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) !== undefined, 10_000, 100);
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    stop: async () => {
      await proc.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
