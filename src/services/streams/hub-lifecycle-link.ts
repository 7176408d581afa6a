import type { Logger } from '../../core/logger.js';
import type { StreamHub } from '../../hub/index.js';
import type { StreamLifecycle } from './stream-lifecycle.js';

/** PublisherInfo.protocol of transcoder renditions (services/transcode TRANSCODE_PROTOCOL). */
const INTERNAL_TRANSCODE_PROTOCOL = 'transcode';

/**
 * Feeds hub events into the stream lifecycle (sessions, status, webhooks). A session id is a promise so an
 * unpublish that races the database write of its own publish still finds it. Returns an unlink function.
 */
export function connectLifecycle(hub: StreamHub, lifecycle: StreamLifecycle, log: Logger): () => void {
  const sessions = new Map<number, Promise<string | undefined>>();
  // Transcoder renditions (live/<id>/<name>) are the server's own publishers: no sessions, status or webhooks.
  const internal = (e: { publisher: { protocol: string } }) => e.publisher.protocol === INTERNAL_TRANSCODE_PROTOCOL;
  const report = (what: string) => (err: unknown) => log.error({ err, what }, 'stream lifecycle update failed');
  const offs = [
    hub.events.on('publish', (e) => {
      if (internal(e)) return;
      sessions.set(e.publisherId, lifecycle.onPublishStart({
        streamPath: e.path, streamId: e.publisher.streamId, remoteAddress: e.publisher.remoteAddress, protocol: e.publisher.protocol,
      }).catch((err) => (report('publish')(err), undefined)));
    }),
    hub.events.on('active', (e) => {
      if (internal(e)) return;
      // After the session row exists: the first keyframe can beat the database write of the publish.
      void (sessions.get(e.publisherId) ?? Promise.resolve()).then(() => lifecycle.onActive(e.path)).catch(report('active'));
    }),
    hub.events.on('unpublish', (e) => {
      if (internal(e)) return;
      const session = sessions.get(e.publisherId);
      sessions.delete(e.publisherId);
      void session?.then((sessionId) => sessionId === undefined ? undefined
        : lifecycle.onPublishEnd({ streamPath: e.path, sessionId, reason: e.reason, bytesIn: e.bytesIn })).catch(report('unpublish'));
    }),
  ];
  return () => offs.forEach((off) => off());
}
