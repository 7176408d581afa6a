import { Agent, request, type IncomingMessage } from 'node:http';
import type { HlsRequest } from './hls-request.js';
import type { HlsResponse } from './hls-responses.js';

/** Marks a request already forwarded once: the receiving worker serves it or answers, never forwards again. */
export const HOP_HEADER = 'x-onair-hop';
/**
 * HOP_HEADER's value on a worker's request for its own copy of a sibling's answer (edge-proxy/hls-edge-proxy.ts, with the
 * signed EDGE_HLS_HEADER): the viewers were authorised by the worker asking, the worker asked serves it unauthorised.
 */
export const SIBLING_CACHE_HOP = 'cache';

/** Kept-alive loopback connections to the other workers' internal HTTP ports (blocking reloads hold one each). */
const agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 64 });

/**
 * The owner's connection headers are its own hop's: the front answering the viewer (node:http or the lean front)
 * writes its own Date, Connection and Keep-Alive, so a forwarded answer reads as the owner's answer would have.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'date', 'transfer-encoding']);

/**
 * Workers: an HLS request forwarded as it came to the worker that owns its stream, and answered there (one packager
 * per stream, so every playlist and segment name is the same whichever worker a viewer's connections land on). Used
 * for another node's signed request that reached a worker not owning the stream, and for viewers' requests with
 * --no-hls-worker-cache; otherwise a worker answers its viewers from its copy of the owner's answers (register-hls.ts).
 * The viewer's request is a node:http one or the lean front's (servers/http/lean); either way the owner's status,
 * headers (in its order) and body are passed on unchanged, the body as it arrives, paused while the viewer's socket
 * is full. A failed hop is a 502 (the player retries). `done`: told the status and body bytes of an answer passed on whole,
 * and its first chunk (a playlist's head: the stream's EXT-X-TARGETDURATION for the viewer's session).
 */
export function proxyHls(req: HlsRequest, res: HlsResponse, base: string, done?: (status: number, bytes: number, head: Buffer | undefined) => void): void {
  let body: IncomingMessage | undefined;
  let bytes = 0;
  let head: Buffer | undefined;
  const upstream = request(`${base}${req.url}`, {
    method: req.method, agent,
    headers: { ...req.headers, [HOP_HEADER]: '1', host: new URL(base).host },
  }, (answer) => {
    const status = answer.statusCode ?? 502;
    // Every HLS answer carries its length (hls-responses.ts); the lean front cannot frame one without.
    const bodyless = req.method === 'HEAD' || status === 204 || status === 304;
    if (!bodyless && answer.headers['content-length'] === undefined) {
      settled();
      upstream.destroy();
      return badGateway(res, 'the worker owning this stream answered without a length');
    }
    res.writeHead(status, endToEnd(answer.rawHeaders));
    body = answer;
    answer.on('data', (chunk: Buffer) => {
      head ??= chunk;
      bytes += chunk.length;
      if (res.write(chunk) === false) {
        answer.pause();
        res.once('drain', resume);
      }
    });
    answer.on('end', () => {
      settled();
      res.end();
      done?.(status, bytes, head);
    });
    answer.on('error', () => {
      settled();
      res.destroy();
    });
  });
  const resume = (): void => void body?.resume();
  const viewerLeft = (): void => void upstream.destroy();
  // The lean front's listeners are on the viewer's socket, which outlives this request (keep-alive): taken off.
  const settled = (): void => {
    res.removeListener('close', viewerLeft);
    res.removeListener('drain', resume);
  };
  upstream.on('error', () => {
    settled();
    if (res.writableEnded) return;
    if (!res.headersSent) badGateway(res, 'the worker owning this stream did not answer');
    else res.destroy();
  });
  res.once('close', viewerLeft);
  upstream.end();
}

function badGateway(res: HlsResponse, message: string): void {
  if (res.destroyed) return;
  const body = Buffer.from(JSON.stringify({ error: { code: 'bad_gateway', message } }));
  res.writeHead(502, ['content-type', 'application/json', 'cache-control', 'no-store', 'content-length', body.length]);
  res.end(body);
}

/** The owner's headers as it sent them (names, order, repeats), without the hop-by-hop ones. */
function endToEnd(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}
