import { hostname, networkInterfaces } from 'node:os';
import { OnAirError } from '../../core/errors.js';
import type { Config } from '../../config/schema.js';

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Cluster flags that cannot work, refused in one line before anything starts. */
export function checkClusterSettings(config: Config): void {
  if (config.nodeId && !NODE_ID.test(config.nodeId)) {
    throw new OnAirError('ONAIR_ERR_CONFIG', '--node-id: 1-64 letters, digits, ".", "_" or "-"');
  }
  if (!config.cluster) return;
  let url: URL;
  try {
    url = new URL(config.cluster);
  } catch {
    throw new OnAirError('ONAIR_ERR_CONFIG', '--cluster: expected a redis:// or rediss:// URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new OnAirError('ONAIR_ERR_CONFIG', '--cluster: expected a redis:// or rediss:// URL');
  // PGlite is one process's own database: other nodes would see none of its streams, keys or sessions.
  if (!config.databaseUrl) {
    throw new OnAirError('ONAIR_ERR_CONFIG', '--cluster needs a shared PostgreSQL database: set DATABASE_URL (or --database-url); the embedded PGlite database belongs to one node');
  }
}

/** --node-id, or <hostname>-<pid> (unique per process on a host, readable in logs and the registry). */
export function resolveNodeId(config: Config): string {
  if (config.nodeId) return config.nodeId;
  return `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 48)}-${process.pid}`;
}

/** The URLs this node announces to the others: the flags, or the first non-loopback IPv4 (else --host) with the bound ports. */
export function advertisedUrls(config: Config, ports: { rtmp: number; http: number }): { rtmpUrl: string; httpUrl: string } {
  const host = bindableHost(config.host);
  return {
    rtmpUrl: (config.clusterAdvertiseRtmp || `rtmp://${host}:${ports.rtmp}`).replace(/\/+$/, ''),
    httpUrl: (config.clusterAdvertiseHttp || `http://${host}:${ports.http}`).replace(/\/+$/, ''),
  };
}

function bindableHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return host.includes(':') ? `[${host}]` : host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
