import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's nginx with libnginx-mod-rtmp (scripts/test.sh installs both). */
export const NGINX_BIN = '/usr/sbin/nginx';
export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

export function nginxRtmpAvailable(): boolean {
  return existsSync(NGINX_BIN) && existsSync(NGINX_RTMP_MODULE);
}

export interface NginxRtmpConfigOptions {
  /** The RTMP application's name (default `live`). */
  readonly app?: string;
  /** An `http { ... }` block appended as is (the benches serve nginx-rtmp's HLS with it). */
  readonly http?: string;
}

/**
 * Writes an nginx-rtmp config under `dir`: one process (master off, so it runs as the user who starts it and
 * needs no `user` directive), listening on `127.0.0.1:port`, `application <app> { <application> }`. Shared by
 * the tests (test/support/nginx-rtmp.ts) and the benchmarks (bench/lib/servers.ts).
 */
export function writeNginxRtmpConfig(dir: string, port: number, application: string, options: NginxRtmpConfigOptions = {}): string {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `
load_module ${NGINX_RTMP_MODULE};
${nginxMainContext(dir)}
rtmp { server { listen 127.0.0.1:${port}; chunk_size 4096; application ${options.app ?? 'live'} { ${application} } } }
${options.http ?? ''}
`);
  return conf;
}

/**
 * The main context of a one-process nginx under `dir` (foreground, master off, logs and pid there, 8192
 * connections): what every nginx the tests and benchmarks run shares. `dir`/logs must exist.
 */
export function nginxMainContext(dir: string): string {
  return `daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 8192;
error_log ${dir}/logs/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 8192; }`;
}

/** An http block's temp paths under `tmp` (nginx would otherwise use its system-wide ones, not writable by every user). */
export function nginxTempPaths(tmp: string): string {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${tmp}/${t};`).join(' ');
}

/** The nginx command line for a config written by writeNginxRtmpConfig. */
export function nginxArgs(dir: string): string[] {
  return ['-p', dir, '-e', `${dir}/logs/error.log`, '-c', join(dir, 'nginx.conf')];
}
