import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, waitFor, type Proc } from '../support/proc.js';
import { freePort } from '../../support/free-port.js';
import { nginxArgs, nginxTempPaths } from '../../support/nginx-rtmp.js';

/** One request as nginx's access log saw it: which upstream answered, what, with which status. */
export interface LbRequest {
  readonly upstream: string;
  readonly uri: string;
  readonly status: number;
}

export interface NginxLb {
  url(path: string): string;
  /** Every request nginx passed on so far (its access log, read now). */
  requests(): LbRequest[];
  stop(): Promise<void>;
}

/**
 * Debian's nginx as a plain round-robin HTTP load balancer over `upstreams` (host:port): one worker process, no
 * ip_hash, no upstream keepalive, no cache, so consecutive requests, also on one client connection, go to the next
 * node in turn. The access log names the upstream of every request (`$upstream_addr`), so a test can check that.
 */
export async function startNginxLb(upstreams: readonly string[]): Promise<NginxLb> {
  const dir = mkdtempSync(join(tmpdir(), 'onair-nginx-lb-'));
  mkdirSync(join(dir, 'logs'));
  const port = await freePort();
  const log = join(dir, 'logs', 'access.log');
  writeFileSync(join(dir, 'nginx.conf'), `
daemon off;
master_process off;
worker_processes 1;
error_log ${dir}/logs/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  ${nginxTempPaths(dir)}
  log_format lb '$upstream_addr $status $request_uri';
  access_log ${log} lb;
  upstream onair { ${upstreams.map((u) => `server ${u};`).join(' ')} }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://onair;
      proxy_buffering off;
      proxy_read_timeout 30s;
    }
  }
}
`);
  const proc: Proc = run('/usr/sbin/nginx', nginxArgs(dir), { timeoutMs: 300_000 });
  await waitFor('nginx listening', async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) !== undefined, 10_000, 100);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => {
      const [upstream, status, uri] = line.split(' ');
      return { upstream: upstream!, status: Number(status), uri: uri! };
    }),
    stop: async () => {
      await proc.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
