import type { Queryable } from '../../db/database.js';
import type { StreamEventData, StreamEventType, TransactionalEventPublisher } from '../streams/stream-events.js';
import type { ClusterCoordinator } from './cluster-types.js';

/**
 * The owner's stream events: queued once for webhooks in the shared database (the owner is the only node
 * whose lifecycle sees the publisher, and the delivery worker claims each delivery with SKIP LOCKED, so
 * each one is sent by one node), then announced on the cluster channel for the other nodes.
 */
export class ClusterEventRelay implements TransactionalEventPublisher {
  constructor(private readonly inner: TransactionalEventPublisher, private readonly coordinator: ClusterCoordinator) {}

  async publish(type: StreamEventType, data: StreamEventData): Promise<void> {
    await this.inner.publish(type, data);
    await this.announce(type, data);
  }

  /** Queued in `tx`; announced (pub/sub, best effort) only once it has committed. */
  async publishIn(tx: Queryable, type: StreamEventType, data: StreamEventData): Promise<() => void> {
    const queued = await this.inner.publishIn(tx, type, data);
    return () => {
      queued();
      void this.announce(type, data);
    };
  }

  private async announce(type: StreamEventType, data: StreamEventData): Promise<void> {
    const streamId = data.stream?.id;
    await this.coordinator.broadcast({
      type: 'stream.event', nodeId: this.coordinator.nodeId, event: type, ...(typeof streamId === 'string' ? { streamId } : {}),
    });
  }
}
