import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Answers a request and returns true, or returns false to leave it to fastify. */
export type FrontHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Puts `front` before fastify on the same Node server: fastify's request listener is taken off the server's
 * 'request' event and called only for what `front` leaves. Fastify's per-request path (request and reply
 * objects, hooks, the router, serialisation) is what the busiest playback routes skip; everything else
 * (the API, errors of Node's parser, timeouts, close) stays fastify's. Call before `listen`.
 */
export function mountBeforeFastify(app: FastifyInstance, front: FrontHandler): void {
  const server = app.server;
  const behind = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (front(req, res)) return;
    for (const listener of behind) listener.call(server, req, res);
  });
}
