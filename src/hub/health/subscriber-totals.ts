import type { Subscription } from '../subscription.js';

/** Per subscriber protocol: how many watch now, and what every subscriber (present and gone) got and missed. */
export interface ProtocolTotals {
  subscribers: number;
  bytesDelivered: number;
  packetsDropped: number;
}

/**
 * What subscribers that left a stream had been delivered and dropped, per protocol, so a stream's totals do
 * not shrink when a viewer leaves. One entry per protocol seen (a handful), updated only when a subscriber leaves.
 */
export class SubscriberTotals {
  private readonly departed = new Map<string, ProtocolTotals>();

  depart(sub: Subscription): void {
    const t = this.entry(this.departed, sub.info.protocol);
    t.bytesDelivered += sub.stats.bytesDelivered;
    t.packetsDropped += sub.stats.packetsDropped;
  }

  /** Present subscribers counted and added to the departed totals; called once per evaluation, not per packet. */
  totals(present: Iterable<Subscription>): Map<string, ProtocolTotals> {
    const out = new Map<string, ProtocolTotals>();
    for (const [protocol, t] of this.departed) out.set(protocol, { subscribers: 0, bytesDelivered: t.bytesDelivered, packetsDropped: t.packetsDropped });
    for (const sub of present) {
      const t = this.entry(out, sub.info.protocol);
      t.subscribers++;
      t.bytesDelivered += sub.stats.bytesDelivered;
      t.packetsDropped += sub.stats.packetsDropped;
    }
    return out;
  }

  private entry(map: Map<string, ProtocolTotals>, protocol: string): ProtocolTotals {
    let t = map.get(protocol);
    if (!t) map.set(protocol, (t = { subscribers: 0, bytesDelivered: 0, packetsDropped: 0 }));
    return t;
  }
}
