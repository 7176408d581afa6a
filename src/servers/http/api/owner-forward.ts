import { Agent, request } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HOP_HEADER } from '../playback/hls/hls-proxy.js';

/** Kept-alive connections to the other workers' internal HTTP ports and the other nodes' APIs (a health feed holds one each). */
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 16 });

/** The request headers the owner needs: the admin token (header or cookie; `?token=` stays in the URL). */
const FORWARDED = ['authorization', 'cookie', 'accept'] as const;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'date', 'transfer-encoding']);

/**
 * HOP_HEADER's value on a request another cluster node forwarded (a stream's health, a node's own stream list): not
 * forwarded to another node again, but on a machine with `--workers` still to the worker owning the stream (a
 * worker's forward says '1' and is answered where it lands).
 */
export const NODE_HOP = 'node';

/** Who forwards: a worker to its sibling on this machine's loopback, or a node to another node's API. */
export type ForwardHop = 'worker' | 'node';

/**
 * The owner's answer head (a JSON body follows at once, an SSE feed its first event) within this, or 502: a lost
 * host would otherwise hold the request for the kernel's connect timeout, minutes.
 */
const OWNER_ANSWER_TIMEOUT_MS = 5_000;

/** True when this request was forwarded by a sibling worker or another node already (any hop). */
export function forwardedOnce(req: FastifyRequest): boolean {
  return req.headers[HOP_HEADER] !== undefined;
}

/** True when a sibling worker forwarded this request: it is answered here, never forwarded again. */
export function forwardedByWorker(req: FastifyRequest): boolean {
  const hop = req.headers[HOP_HEADER];
  return hop !== undefined && hop !== NODE_HOP;
}

/** The hop header and the caller's credentials, for a request this server makes on a client's behalf. */
export function forwardHeaders(req: FastifyRequest, hop: ForwardHop): Record<string, string> {
  const headers: Record<string, string> = { [HOP_HEADER]: hop === 'node' ? NODE_HOP : '1' };
  for (const name of FORWARDED) {
    const v = req.headers[name];
    if (typeof v === 'string') headers[name] = v;
  }
  return headers;
}

/**
 * An API GET about a stream another worker of this machine (`hop` worker: its internal HTTP port) or another cluster
 * node (`hop` node: its advertised HTTP base) owns, answered there: its monitor holds the stream and its viewers from
 * every worker and node. The answer (JSON, or the SSE feed as it comes, with backpressure) is passed on: 'answered'
 * once its head is (the reply is hijacked then). The caller authorised the admin already; the owner checks the token
 * again (one database: the same token on every node). 'unreachable' (logged) when the owner gave no answer head
 * (refused, timed out, the client left meanwhile): nothing was written, the caller answers.
 */
export function forwardToOwner(req: FastifyRequest, reply: FastifyReply, base: string, hop: ForwardHop = 'worker'): Promise<'answered' | 'unreachable'> {
  const res = reply.raw;
  let settle: (how: 'answered' | 'unreachable') => void = () => {};
  const settled = new Promise<'answered' | 'unreachable'>((resolve) => (settle = resolve));
  const upstream = request(`${base}${req.url}`, { method: 'GET', agent, headers: forwardHeaders(req, hop) }, (answer) => {
    clearTimeout(timer);
    reply.hijack();
    settle('answered');
    const out: string[] = [];
    for (let i = 0; i < answer.rawHeaders.length; i += 2) {
      if (!HOP_BY_HOP.has(answer.rawHeaders[i]!.toLowerCase())) out.push(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
    }
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  const timer = setTimeout(() => upstream.destroy(new Error(`no answer within ${OWNER_ANSWER_TIMEOUT_MS} ms`)), OWNER_ANSWER_TIMEOUT_MS);
  upstream.on('error', (err) => {
    clearTimeout(timer);
    if (res.headersSent) return void res.destroy();
    req.log.warn({ owner: base, err: err.message }, `the ${hop} owning this stream did not answer`);
    settle('unreachable');
  });
  // The client left (a closed feed): the owner's side goes too.
  res.once('close', () => {
    clearTimeout(timer);
    upstream.destroy();
  });
  upstream.end();
  return settled;
}
