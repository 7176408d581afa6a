import { hlsCacheLocation, hlsCachePath } from '../../support/nginx-hls-cache.js';
import { startNginxHttp, type NginxHttp } from './nginx-http.js';

export type NginxCache = NginxHttp;

/** Debian's nginx (one process, foreground) with the README's cache in front of OnAir at `upstream`. */
export function startNginxCache(upstream: string): Promise<NginxCache> {
  return startNginxHttp('cache', (dir, port) => `
  access_log off;
  ${hlsCachePath(`${dir}/cache`)}
  server {
    listen 127.0.0.1:${port};
    ${hlsCacheLocation(upstream)}
  }`);
}
