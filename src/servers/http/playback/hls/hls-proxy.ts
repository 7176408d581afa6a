import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';

/** Marks a request already forwarded once: the receiving worker serves it or answers, never forwards again. */
export const HOP_HEADER = 'x-onair-hop';

/** Kept-alive loopback connections to the other workers' internal HTTP ports (blocking reloads hold one each). */
const agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 64 });

/**
 * Workers: an HLS request for a stream another worker owns is answered by that worker's packager (one packager
 * per stream, so every playlist and segment name is the same whichever worker a viewer's connections land on).
 * The response is piped through unchanged; a failed hop is a 502 (the player retries).
 */
export function proxyHls(req: IncomingMessage, res: ServerResponse, base: string): void {
  const upstream = request(`${base}${req.url}`, {
    method: req.method, agent,
    headers: { ...req.headers, [HOP_HEADER]: '1', host: new URL(base).host },
  }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end('{"error":{"code":"bad_gateway","message":"the worker owning this stream did not answer"}}');
    } else res.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  upstream.end();
}
