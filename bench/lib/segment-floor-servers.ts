/**
 * Two more servers for bench/hls-viewers.ts segments mode, to say where OnAir's CPU per GB stands against what
 * is reachable (issue 17's floor, <= 1.5x nginx):
 * - `bare-node`: a minimal node:http server serving OnAir's own bytes from memory (bench/lib/bare-node-hls.ts),
 *   mirrored from an OnAir that runs on the load core and is not measured: Node's own floor for this load.
 * - `onair+cache`: OnAir behind README's nginx `proxy_cache` block, both on the server core, viewers on nginx:
 *   the CPU of both processes together is the system's figure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startChild, stopChild } from './children.js';
import { benchNodeArgs, startOnAir, waitPort, type BenchServer } from './servers.js';
import { NGINX_BIN, nginxArgs, nginxMainContext, nginxTempPaths } from '../../support/nginx-rtmp.js';
import { hlsCacheLocation, hlsCachePath } from '../../support/nginx-hls-cache.js';

const root = resolve(import.meta.dirname, '../..');
/** Port offsets inside a measurement's block of 10 (port: RTMP, port + 1: what viewers ask, port + 2: inspector). */
const BACKEND_RTMP = 4;

/**
 * bare-node on `cpu` at port + 1, mirroring an OnAir (started with `onairArgs`) on `upstreamCpu`, which the
 * publisher feeds. Only the bare server's CPU counts.
 */
export async function startBareNodeHls(cpu: number, upstreamCpu: number, port: number, workDir: string, onairArgs: readonly string[], playlist: string, lean = false): Promise<BenchServer> {
  const upstreamPort = port + BACKEND_RTMP;
  const upstream = await startOnAir(upstreamCpu, upstreamPort, workDir, { args: onairArgs, name: 'bare-node upstream', nodeArgs: [] });
  const bare = startChild('taskset', ['-c', String(cpu), process.execPath, ...benchNodeArgs(), '--import', 'tsx', join(root, 'bench/lib/bare-node-hls.ts'),
    '--upstream', `127.0.0.1:${upstreamPort + 1}`, '--port', String(port + 1), '--playlist', playlist, ...(lean ? ['--lean'] : [])]);
  const stop = async (): Promise<void> => {
    await stopChild(bare, 6000);
    await upstream.stop();
  };
  await listeningOrStopped(port + 1, stop);
  return { name: 'bare-node', pid: bare.pid!, rtmpUrl: upstream.rtmpUrl, stop };
}

/** Waits for `port`; a server that never listens is stopped (`stop`) before the error goes on. */
async function listeningOrStopped(port: number, stop: () => Promise<void>): Promise<void> {
  try {
    await waitPort(port, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The nginx config: one process, README's cache block in front of OnAir's HTTP at `upstream`, sendfile as Debian's default nginx.conf has it. */
function cacheConfig(dir: string, listenPort: number, upstream: string): string {
  return `${nginxMainContext(dir)}
http {
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 65s; keepalive_requests 1000000;
  ${nginxTempPaths(`${dir}/tmp`)}
  ${hlsCachePath(`${dir}/cache`)}
  server {
    listen 127.0.0.1:${listenPort};
    ${hlsCacheLocation(upstream, { cacheStatus: false })}
    location = /healthz { return 200 "ok\\n"; }
  }
}
`;
}

/** OnAir (HTTP on port + 5) and nginx with README's proxy_cache (port + 1), both on `cpu`; CPU counts both. */
export async function startOnAirBehindCache(cpu: number, port: number, workDir: string, onairArgs: readonly string[]): Promise<BenchServer> {
  const onairHttp = port + BACKEND_RTMP + 1;
  const onair = await startOnAir(cpu, port, workDir, { args: onairArgs, name: 'onair behind cache', httpPort: onairHttp });
  const dir = join(workDir, `nginx-cache-${port}`);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(join(dir, 'nginx.conf'), cacheConfig(dir, port + 1, `127.0.0.1:${onairHttp}`));
  const nginx = startChild('taskset', ['-c', String(cpu), NGINX_BIN, ...nginxArgs(dir)]);
  const stop = async (): Promise<void> => {
    await stopChild(nginx, 6000);
    await onair.stop();
  };
  await listeningOrStopped(port + 1, stop);
  return { name: 'onair+cache', pid: onair.pid, pids: [onair.pid, nginx.pid!], rtmpUrl: onair.rtmpUrl, stop };
}
