import type { PublisherInfo, StreamHub } from '../../hub/index.js';
import { VIEWER_FAMILY } from '../health/index.js';
import { TRANSCODE_PROTOCOL } from '../transcode/index.js';

/**
 * Server-wide bytes received from publishers and sent to RTMP/FLV viewers since start, read at scrape time:
 * what ended publishers and departed viewers carried (from hub events) plus what present ones carry now. Nothing
 * is counted per packet here; the hub's own per-publisher and per-subscriber counters are read.
 */
export class TrafficTotals {
  private endedBytesIn = 0;
  private readonly endedBytesOut = { rtmp: 0, flv: 0 };
  private readonly offs: (() => void)[];

  /** `internal`: publishers whose bytes are not received from a broadcaster besides the transcoder's (workers: pulls from a sibling). */
  constructor(private readonly hub: StreamHub, private readonly internal: (p: PublisherInfo) => boolean = () => false) {
    this.offs = [
      hub.events.on('unpublish', (e) => {
        if (e.publisher.protocol !== TRANSCODE_PROTOCOL && !internal(e.publisher)) this.endedBytesIn += e.bytesIn;
      }),
      hub.events.on('unsubscribe', (e) => {
        const family = VIEWER_FAMILY[e.subscriber.protocol];
        if (family) this.endedBytesOut[family] += e.stats.bytesDelivered;
      }),
    ];
  }

  bytesIn(): number {
    let total = this.endedBytesIn;
    for (const s of this.hub.streams()) {
      const pub = s.publisher;
      if (pub && pub.info.protocol !== TRANSCODE_PROTOCOL && !this.internal(pub.info)) total += pub.bytesIn;
    }
    return total;
  }

  /** Media bytes delivered to RTMP and FLV viewers (HLS is counted where it is served). */
  bytesOut(): { rtmp: number; flv: number } {
    const out = { ...this.endedBytesOut };
    for (const s of this.hub.streams()) {
      for (const sub of s.subscriptions()) {
        const family = VIEWER_FAMILY[sub.info.protocol];
        if (family) out[family] += sub.stats.bytesDelivered;
      }
    }
    return out;
  }

  /** Present RTMP and FLV viewers over every stream. */
  viewers(): { rtmp: number; flv: number } {
    const out = { rtmp: 0, flv: 0 };
    for (const s of this.hub.streams()) {
      for (const sub of s.subscriptions()) {
        const family = VIEWER_FAMILY[sub.info.protocol];
        if (family) out[family]++;
      }
    }
    return out;
  }

  close(): void {
    for (const off of this.offs) off();
  }
}
