import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNginxHttp } from '../support/nginx-http.js';

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
  const nginx = await startNginxHttp('lb', (dir, port) => `
  log_format lb '$upstream_addr $status $request_uri';
  access_log ${dir}/logs/access.log lb;
  upstream onair { ${upstreams.map((u) => `server ${u};`).join(' ')} }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://onair;
      proxy_buffering off;
      proxy_read_timeout 30s;
    }
  }`);
  return {
    url: nginx.url,
    requests: () => readFileSync(join(nginx.dir, 'logs', 'access.log'), 'utf8').split('\n').filter(Boolean).map((line) => {
      const [upstream, status, uri] = line.split(' ');
      return { upstream: upstream!, status: Number(status), uri: uri! };
    }),
    stop: nginx.stop,
  };
}
