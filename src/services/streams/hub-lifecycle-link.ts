import type { Logger } from '../../core/logger.js';
import type { StreamHub } from '../../hub/index.js';
import type { StreamLifecycle } from './stream-lifecycle.js';
import { SESSION_PROGRESS_INTERVAL_MS } from './limits.js';

/** PublisherInfo.protocol of transcoder renditions (services/transcode TRANSCODE_PROTOCOL) and edge pulls (services/edge EDGE_PROTOCOL). */
export const INTERNAL_PROTOCOLS: ReadonlySet<string> = new Set(['transcode', 'edge']);

/**
 * Feeds hub events into the stream lifecycle (sessions, status, webhooks). A session id is a promise so an
 * unpublish that races the database write of its own publish still finds it. While publishers are live their
 * bytesIn is written every `progressIntervalMs`. Returns an unlink function.
 */
export function connectLifecycle(hub: StreamHub, lifecycle: StreamLifecycle, log: Logger, progressIntervalMs = SESSION_PROGRESS_INTERVAL_MS): () => void {
  const sessions = new Map<number, Promise<string | undefined>>();
  const live = new Map<number, { path: string; sessionId?: string; written: number }>();
  // Transcoder renditions (live/<id>/<name>) and edge pulls (the owner reports the session) are the server's own
  // publishers: no sessions, status or webhooks.
  const internal = (e: { publisher: { protocol: string } }) => INTERNAL_PROTOCOLS.has(e.publisher.protocol);
  const report = (what: string) => (err: unknown) => log.error({ err, what }, 'stream lifecycle update failed');
  const offs = [
    hub.events.on('publish', (e) => {
      if (internal(e)) return;
      const entry: { path: string; sessionId?: string; written: number } = { path: e.path, written: 0 };
      live.set(e.publisherId, entry);
      sessions.set(e.publisherId, lifecycle.onPublishStart({
        streamPath: e.path, streamId: e.publisher.streamId, remoteAddress: e.publisher.remoteAddress, protocol: e.publisher.protocol,
      }).then((id) => (entry.sessionId = id), (err) => (report('publish')(err), undefined)));
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
      live.delete(e.publisherId);
      void session?.then((sessionId) => sessionId === undefined ? undefined
        : lifecycle.onPublishEnd({ streamPath: e.path, sessionId, reason: e.reason, bytesIn: e.bytesIn })).catch(report('unpublish'));
    }),
  ];
  const progress = setInterval(() => {
    const batch: { sessionId: string; bytesIn: number }[] = [];
    for (const [publisherId, entry] of live) {
      const pub = hub.stream(entry.path)?.publisher;
      if (!entry.sessionId || pub?.id !== publisherId || pub.bytesIn === entry.written) continue;
      entry.written = pub.bytesIn;
      batch.push({ sessionId: entry.sessionId, bytesIn: pub.bytesIn });
    }
    if (batch.length > 0) void lifecycle.onProgress(batch).catch(report('progress'));
  }, progressIntervalMs);
  progress.unref();
  return () => {
    clearInterval(progress);
    offs.forEach((off) => off());
  };
}
