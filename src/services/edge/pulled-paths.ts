import type { PublisherInfo, StreamHub } from '../../hub/index.js';

/**
 * The streams this process holds because it pulled them from their owner (`pulled` tells such a publisher: a pull
 * from a sibling worker, or from any other node): while the pull is live, and after it ended while the hub still holds
 * the stream (players waiting through its reconnect window), when the publisher no longer says so. Their owner
 * reports them. An entry goes when the path is published here by anything else or the hub drops it.
 */
export class PulledPaths {
  private readonly paths = new Set<string>();

  constructor(private readonly hub: StreamHub, pulled: (publisher: PublisherInfo) => boolean) {
    hub.events.on('publish', (e) => {
      if (pulled(e.publisher)) this.paths.add(e.path);
      else this.paths.delete(e.path);
      // Publishes are rare next to reads: the paths the hub dropped meanwhile go here.
      for (const path of this.paths) if (!hub.stream(path)) this.paths.delete(path);
    });
  }

  has(path: string): boolean {
    if (!this.paths.has(path)) return false;
    if (this.hub.stream(path)) return true;
    this.paths.delete(path);
    return false;
  }
}
