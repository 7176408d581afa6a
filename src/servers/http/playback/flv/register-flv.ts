import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { FlvFanout } from '../../../../bridges/flv/index.js';
import { isOnAirError } from '../../../../core/errors.js';
import type { PlaybackDeps } from '../playback-deps.js';
import { answerPreflight, corsHeaders } from '../cors.js';
import { sendPlaybackError } from '../playback-errors.js';
import { httpFlvConnection, wsFlvConnection, type FlvConnection } from './flv-connections.js';
import { resolveFlvPlayback, type FlvPlaybackTarget } from './flv-playback.js';
import { FlvViewer } from './flv-viewer.js';
import { WS_MAX_INCOMING_PAYLOAD } from './limits.js';
import { playbackIdOfFile, rawQuery, renditionNameOfFile } from '../playback-url.js';

/** `/live/:file` (a source) or `/live/:id/:file` (an ABR rendition of `id`). */
type FileParams = { Params: { file: string; id?: string } };
type ResolvedRequest = FastifyRequest<FileParams> & { flvPlayback?: Extract<FlvPlaybackTarget, { ok: true }> };

/**
 * HTTP-FLV at GET /live/<playbackId>.flv and WS-FLV at /ws/live/<playbackId>.flv (for mpegts.js / flv.js), and an
 * ABR rendition of it at /live/<playbackId>/<rendition>.flv (and /ws/...), under the source's policy. Every
 * viewer is a hub subscriber under the same byte budget as RTMP players; one FlvFanout serializes each packet once
 * for all of them and batches their writes. close() ends every viewer.
 */
export function registerFlv(app: FastifyInstance, deps: PlaybackDeps): { close(): void } {
  const fanout = new FlvFanout();
  const viewers = new Set<FlvViewer>();
  let closed = false;

  /** Checks the request and settles the stream before any byte or upgrade goes out (a 404 is fast). */
  const resolve = async (req: ResolvedRequest, reply: FastifyReply, protocol: 'flv' | 'ws-flv'): Promise<boolean> => {
    const { id, file } = req.params;
    const playbackId = id === undefined ? playbackIdOfFile(file, '.flv') : renditionNameOfFile(id, file, '.flv');
    const target: FlvPlaybackTarget = closed
      ? { ok: false, code: 'service_unavailable', message: 'server shutting down' }
      : playbackId
        ? await resolveFlvPlayback(deps, { playbackId, query: rawQuery(req.url), clientIp: req.ip, protocol })
        : { ok: false, code: 'not_found', message: 'no such FLV stream URL' };
    if (!target.ok) {
      if (target.retryAfterSec !== undefined) reply.header('retry-after', String(target.retryAfterSec));
      sendPlaybackError(req, reply, target.code, target.message);
      return false;
    }
    req.flvPlayback = target;
    return true;
  };

  const startViewer = (req: ResolvedRequest, connection: FlvConnection, protocol: 'flv' | 'ws-flv', onGone: (fn: () => void) => void): FlvViewer | undefined => {
    const target = req.flvPlayback!;
    const log = deps.log.child({ mod: protocol, path: target.path, ip: req.ip });
    // A token that expires, or a stream disabled, deleted or made signed, ends the viewer then.
    const stopWatching = deps.watchPlay(target.play, (reason) => viewer.close(reason));
    const viewer = new FlvViewer(connection, {
      // The stream's own reconnect window (API streams), else the server's.
      republishWaitMs: (deps.hub.stream(target.path)?.publisher?.info.delivery?.reconnectWindowSec ?? deps.config.reconnectWindowSec) * 1000,
      log,
      onFinished: (v) => {
        viewers.delete(v);
        stopWatching();
      },
    });
    viewers.add(viewer);
    onGone(() => viewer.close('viewer left'));
    try {
      viewer.start(deps.hub, target.path, { protocol, remoteAddress: req.ip }, target.tracks, fanout);
    } catch (err) {
      // The publisher left (or the server closed) between the checks and the subscription.
      if (!isOnAirError(err)) log.error({ err }, 'flv subscribe failed');
      viewer.close(isOnAirError(err) ? err.message : 'subscribe failed');
      return undefined;
    }
    return viewer;
  };

  const serveHttpFlv = async (req: ResolvedRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (!(await resolve(req, reply, 'flv'))) return reply;
    reply.hijack();
    const res = reply.raw;
    // Live: no Content-Length, so Node sends it chunked (mpegts.js reads it as a stream).
    res.writeHead(200, {
      'content-type': 'video/x-flv',
      'cache-control': 'no-cache, no-store',
      'x-content-type-options': 'nosniff',
      ...corsHeaders(req.headers.origin),
    });
    res.flushHeaders();
    const socket = req.raw.socket;
    socket.setNoDelay(true);
    startViewer(req, httpFlvConnection(res, socket), 'flv', (fn) => res.once('close', fn));
    return reply;
  };
  for (const url of ['/live/:file', '/live/:id/:file']) {
    app.options<FileParams>(url, async (req, reply) => answerPreflight(req, reply));
    app.get<FileParams>(url, { exposeHeadRoute: false }, serveHttpFlv);
  }

  app.register(async (scope) => {
    await scope.register(fastifyWebsocket, { options: { maxPayload: WS_MAX_INCOMING_PAYLOAD } });
    for (const url of ['/ws/live/:file', '/ws/live/:id/:file']) {
      scope.get<FileParams>(url, {
        websocket: true,
        exposeHeadRoute: false,
        // Runs before the upgrade: unknown streams get a plain HTTP 404 rather than an opened socket.
        preValidation: async (req: ResolvedRequest, reply) => {
          if (!(await resolve(req, reply, 'ws-flv'))) return reply;
        },
      }, (socket: WebSocket, req: ResolvedRequest) => {
        socket.on('error', () => socket.terminate());
        startViewer(req, wsFlvConnection(socket, req.raw.socket), 'ws-flv', (fn) => socket.once('close', fn));
      });
    }
  });

  return {
    close() {
      closed = true;
      for (const v of [...viewers]) v.close('server shutting down', true);
    },
  };
}
