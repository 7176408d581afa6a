import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config/schema.js';
import type { Logger } from './core/logger.js';
import { StreamHub } from './hub/index.js';
import { RtmpServer } from './servers/rtmp/rtmp-server.js';
import { OpenAuth, type RtmpAuth } from './servers/auth-port.js';
import { registerHls } from './servers/http/hls/register-hls.js';
import { registerFlv } from './servers/http/flv/register-flv.js';

export interface RunningOnAir {
  readonly hub: StreamHub;
  readonly ports: { rtmp: number; rtmps?: number; http: number };
  close(): Promise<void>;
}

/**
 * The composition root's body: builds every module from the config and starts the listeners. main.ts
 * adds process concerns (argv, signals, printing); tests call this directly with port 0.
 */
export async function startOnAir(config: Config, log: Logger): Promise<RunningOnAir> {
  const hub = new StreamHub(
    {
      gop: { maxBytes: config.gopCacheMaxBytes, maxMs: config.gopCacheMaxMs },
      subscriber: { budgetBytes: config.subscriberBudgetBytes, slowTimeoutMs: config.slowSubscriberTimeoutMs },
      takeover: config.takeover,
    },
    log.child({ mod: 'hub' }),
  );
  if (config.auth !== 'open') throw new Error(`--auth ${config.auth} needs the stream API (not wired yet)`);
  log.warn('AUTH IS OPEN (--auth open): anyone who can reach this server can publish under any name. Development only.');
  const auth: RtmpAuth = new OpenAuth();

  const rtmp = new RtmpServer(
    {
      host: config.host, port: config.rtmpPort,
      tls: config.tlsCert ? { port: config.rtmpsPort, options: { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } } : undefined,
      maxMessageSize: config.maxMessageSize, chunkSize: config.chunkSize, handshakeTimeoutMs: config.handshakeTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs, maxConnections: config.maxConnections,
    },
    hub, auth, log.child({ mod: 'rtmp' }),
  );
  const http: FastifyInstance = Fastify({ logger: false });
  http.get('/healthz', async () => ({ status: 'ok', streams: [...hub.streams()].filter((s) => s.publisher).length, rtmpConnections: rtmp.connectionCount }));

  const playback = { hub, config, log: log.child({ mod: 'http' }), authorizePlay: auth.authorizePlay.bind(auth) };
  const hls = registerHls(http, playback);
  const flv = registerFlv(http, playback);

  const rtmpPorts = await rtmp.listen();
  await http.listen({ host: config.host, port: config.httpPort });
  const httpPort = (http.server.address() as { port: number }).port;

  let closing: Promise<void> | undefined;
  return {
    hub,
    ports: { ...rtmpPorts, http: httpPort },
    close: () => (closing ??= (async () => {
      hls.close();
      flv.close();
      hub.close();
      await rtmp.close();
      await http.close();
    })()),
  };
}
