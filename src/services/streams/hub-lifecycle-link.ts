import type { Logger } from '../../core/logger.js';
import type { StreamHub } from '../../hub/index.js';
import type { StreamLifecycle } from './stream-lifecycle.js';

/**
 * Feeds hub events into the stream lifecycle (sessions, status, webhooks). A session id is a promise so an
 * unpublish that races the database write of its own publish still finds it. Returns an unlink function.
 */
export function connectLifecycle(hub: StreamHub, lifecycle: StreamLifecycle, log: Logger): () => void {
  const sessions = new Map<number, Promise<string | undefined>>();
  const report = (what: string) => (err: unknown) => log.error({ err, what }, 'stream lifecycle update failed');
  const offs = [
    hub.events.on('publish', (e) => {
      sessions.set(e.publisherId, lifecycle.onPublishStart({
        streamPath: e.path, streamId: e.publisher.streamId, remoteAddress: e.publisher.remoteAddress, protocol: e.publisher.protocol,
      }).catch((err) => (report('publish')(err), undefined)));
    }),
    hub.events.on('active', (e) => {
      // After the session row exists: the first keyframe can beat the database write of the publish.
      void (sessions.get(e.publisherId) ?? Promise.resolve()).then(() => lifecycle.onActive(e.path)).catch(report('active'));
    }),
    hub.events.on('unpublish', (e) => {
      const session = sessions.get(e.publisherId);
      sessions.delete(e.publisherId);
      void session?.then((sessionId) => sessionId === undefined ? undefined
        : lifecycle.onPublishEnd({ streamPath: e.path, sessionId, reason: e.reason, bytesIn: e.bytesIn })).catch(report('unpublish'));
    }),
  ];
  return () => offs.forEach((off) => off());
}
