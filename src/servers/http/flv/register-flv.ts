import type { FastifyInstance } from 'fastify';
import type { PlaybackDeps } from '../playback-deps.js';

/** STUB (being implemented): HTTP-FLV at /live/<playbackId>.flv, WS-FLV at /ws/live/<playbackId>.flv, watch page. */
export function registerFlv(_app: FastifyInstance, _deps: PlaybackDeps): { close(): void } {
  return { close() {} };
}
