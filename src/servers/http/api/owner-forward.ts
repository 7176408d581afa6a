import { Agent, request } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../api-errors.js';
import { HOP_HEADER } from '../playback/hls/hls-proxy.js';

/** Kept-alive loopback connections to the other workers' internal HTTP ports (a health feed holds one each). */
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 16 });

/** The request headers the owner needs: the admin token (header or cookie; `?token=` stays in the URL). */
const FORWARDED = ['authorization', 'cookie', 'accept'] as const;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'date', 'transfer-encoding']);

/** True when this request was forwarded by a sibling worker already: it is answered here, never forwarded again. */
export function forwardedOnce(req: FastifyRequest): boolean {
  return req.headers[HOP_HEADER] !== undefined;
}

/**
 * Workers: an API GET about a stream another worker of this machine owns, answered by that worker on its internal
 * HTTP port (`base`), whose monitor holds the stream and its viewers from every worker; the answer (JSON, or the SSE
 * feed as it comes, with backpressure) is passed on. The caller authorised the admin already; the owner checks the
 * token again. A failed hop is a 502.
 */
export function forwardToOwner(req: FastifyRequest, reply: FastifyReply, base: string): void {
  reply.hijack();
  const res = reply.raw;
  const headers: Record<string, string> = { [HOP_HEADER]: '1' };
  for (const name of FORWARDED) {
    const v = req.headers[name];
    if (typeof v === 'string') headers[name] = v;
  }
  const upstream = request(`${base}${req.url}`, { method: 'GET', agent, headers }, (answer) => {
    const out: string[] = [];
    for (let i = 0; i < answer.rawHeaders.length; i += 2) {
      if (!HOP_BY_HOP.has(answer.rawHeaders[i]!.toLowerCase())) out.push(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
    }
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  upstream.on('error', () => {
    if (res.headersSent) return void res.destroy();
    const body = JSON.stringify(errorBody('bad_gateway', 'the worker owning this stream did not answer'));
    res.writeHead(502, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  // The client left (a closed feed): the owner's side goes too.
  res.once('close', () => upstream.destroy());
  upstream.end();
}
