import type { Logger } from '../../../../core/logger.js';
import { FlvSink, type FlvFanout, type FlvTracks } from '../../../../bridges/flv/index.js';
import type { StreamHub, SubscriberInfo, Subscription } from '../../../../hub/index.js';
import type { FlvConnection } from './flv-connections.js';

export interface FlvViewerOptions {
  /** After the publisher leaves, how long the viewer waits for one to come back (config.reconnectWindowSec). */
  readonly republishWaitMs: number;
  readonly log: Logger;
  /** Called once when the viewer is finished, whoever ended it. */
  readonly onFinished: (viewer: FlvViewer) => void;
}

/**
 * One HTTP-FLV or WS-FLV viewer: a hub subscription feeding an FlvSink that writes to the connection.
 * Ends when the client leaves, when the hub ends the subscription (too slow, shutdown), when no publisher
 * comes back within the reconnect window, or when the server closes.
 */
export class FlvViewer {
  private subscription: Subscription | undefined;
  private sink: FlvSink | undefined;
  private republishTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private shutdown = false;

  constructor(
    private readonly connection: FlvConnection,
    private readonly options: FlvViewerOptions,
  ) {}

  /** Subscribes to `path`; throws what StreamHub.subscribe throws (ONAIR_ERR_NOT_FOUND when the publisher left). */
  start(hub: StreamHub, path: string, info: SubscriberInfo, tracks: FlvTracks, fanout: FlvFanout): void {
    this.sink = new FlvSink(this.connection, tracks, fanout, {
      onClose: (reason) => this.finish(reason),
      onPublisherEnd: () => this.armRepublishTimer(),
      onPublisherStart: () => this.clearRepublishTimer(),
    });
    this.subscription = hub.subscribe(path, info, this.sink);
    this.options.log.debug({ tracks }, 'flv viewer started');
  }

  /** The client left (`shutdown` false) or the server is closing (true). Idempotent. */
  close(reason: string, shutdown = false): void {
    this.shutdown ||= shutdown;
    if (this.subscription) this.subscription.close(reason); // -> sink.onClose -> finish
    else this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.clearRepublishTimer();
    this.connection.end(reason, this.shutdown);
    const s = this.subscription?.stats;
    this.options.log.debug({ reason, sink: this.sink?.stats, dropEpisodes: s?.dropEpisodes, packetsDropped: s?.packetsDropped }, 'flv viewer ended');
    this.options.onFinished(this);
  }

  private armRepublishTimer(): void {
    this.clearRepublishTimer();
    this.republishTimer = setTimeout(() => this.close('publisher did not come back'), this.options.republishWaitMs);
    this.republishTimer.unref();
  }

  private clearRepublishTimer(): void {
    if (this.republishTimer) clearTimeout(this.republishTimer);
    this.republishTimer = undefined;
  }
}
