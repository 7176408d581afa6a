import { createServer, type Server } from 'node:net';
import { OnAirError } from '../../core/errors.js';

/** A port the server is about to listen on, with the flag an operator changes when it is taken. */
export interface PortClaim {
  readonly flag: string;
  readonly port: number;
}

/** The ports a server with these settings listens on (RTMPS only with TLS files). */
export function listenClaims(ports: { rtmpPort: number; rtmpsPort: number; httpPort: number }, withTls: boolean): PortClaim[] {
  return [
    { flag: '--rtmp-port', port: ports.rtmpPort },
    ...(withTls ? [{ flag: '--rtmps-port', port: ports.rtmpsPort }] : []),
    { flag: '--http-port', port: ports.httpPort },
  ];
}

/**
 * Binds every claimed port at once (so two flags naming one port also fail) and releases them, before the
 * server creates anything: a port in use must not cost a first start its freshly created database and admin
 * token. Port 0 (ephemeral) is skipped. A program that takes a port between this check and the real listen
 * still gets the same one-line error from `listenError`.
 */
export async function checkPortsFree(host: string, claims: readonly PortClaim[]): Promise<void> {
  const held: Server[] = [];
  try {
    for (const claim of claims) {
      if (claim.port === 0) continue;
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err) => reject(listenError(err, claim.flag, host, claim.port)));
        server.listen({ port: claim.port, host, exclusive: true }, () => resolve());
      });
      held.push(server);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** A listen failure as one sentence naming the flag to change (instead of Node's EADDRINUSE stack). */
export function listenError(err: unknown, flag: string, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new OnAirError('ONAIR_ERR_CONFIG', `port ${port} is already in use (on ${host}): stop the program that holds it, or choose another port with ${flag}`);
  }
  if (code === 'EACCES') {
    return new OnAirError('ONAIR_ERR_CONFIG', `no permission to listen on port ${port}: ports below 1024 need root or CAP_NET_BIND_SERVICE; choose another port with ${flag}`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new OnAirError('ONAIR_ERR_CONFIG', `cannot listen on ${host}: it is not an address of this machine (--host)`);
  }
  return err;
}
