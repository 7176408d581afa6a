import type { Logger } from '../../core/logger.js';
import { summarize, type StreamRecord } from '../streams/stream-types.js';
import type { EventPublisher } from '../streams/stream-events.js';
import type { HealthMonitor, StableHealthChange } from './health-monitor.js';

export interface HealthWebhookDeps {
  readonly monitor: HealthMonitor;
  readonly streams: { get(id: string): Promise<StreamRecord | null> };
  readonly events: EventPublisher;
  readonly log: Logger;
}

/** Announces stable health changes of API streams as `stream.health.changed`. Returns an unlink function. */
export function connectHealthWebhooks(deps: HealthWebhookDeps): () => void {
  const announce = async (c: StableHealthChange): Promise<void> => {
    const stream = await deps.streams.get(c.streamId);
    if (!stream) return;
    await deps.events.publish('stream.health.changed', {
      stream: summarize(stream),
      health: {
        state: c.state,
        previousState: c.previous,
        reasons: c.reasons.map((r) => ({ code: r.code, severity: r.severity, message: r.message, since: new Date(r.since).toISOString() })),
      },
    });
  };
  return deps.monitor.events.on('stableChange', (c) => {
    announce(c).catch((err) => deps.log.error({ err, streamId: c.streamId }, 'stream.health.changed not queued'));
  });
}
