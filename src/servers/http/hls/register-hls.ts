import type { FastifyInstance } from 'fastify';
import type { PlaybackDeps } from '../playback-deps.js';

/**
 * STUB (being implemented): starts HLS/LL-HLS packaging for every published stream and serves
 * /hls/<playbackId>/... Returns a handle that stops all packagers.
 */
export function registerHls(_app: FastifyInstance, _deps: PlaybackDeps): { close(): void } {
  return { close() {} };
}
