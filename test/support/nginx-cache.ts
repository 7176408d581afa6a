import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, waitFor, type Proc } from './proc.js';
import { freePort } from '../../support/free-port.js';

/**
 * The `location /hls/` of README's "An HTTP cache in front (nginx proxy_cache)", for OnAir at `upstream`: the
 * test runs exactly what the README shows (paths and ports aside).
 */
export function hlsCacheLocation(upstream: string): string {
  return `
    location /hls/ {
      proxy_pass http://${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache onair_hls;
      # The full request URI: _HLS_msn/_HLS_part/_HLS_skip and the playback token are part of the key.
      proxy_cache_key $scheme$proxy_host$request_uri;
      # One request per key goes to OnAir; the others wait for its answer, longer than a blocking
      # reload may be held (3 target durations).
      proxy_cache_lock on;
      proxy_cache_lock_timeout 15s;
      proxy_cache_lock_age 15s;
      # OnAir's Cache-Control decides; this only covers an answer without one.
      proxy_cache_valid 200 206 1s;
      proxy_cache_revalidate on;
      # Buffering on (the default) is what lets nginx cache; a blocking reload is held before any byte, so
      # buffering adds no wait. The read timeout outlasts the longest hold.
      proxy_buffering on;
      proxy_read_timeout 30s;
      add_header X-Cache-Status $upstream_cache_status always;
    }`;
}

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
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
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
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=onair_hls:10m max_size=1g inactive=2m use_temp_path=off;
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
