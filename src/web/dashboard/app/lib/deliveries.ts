import type { Delivery } from '../api/types.js';

/**
 * The stream a delivery is about, read from its payload (`data.stream.id`). The delivery log has no stream
 * filter, so the stream page filters the most recent page of deliveries with this.
 */
export function streamIdOfDelivery(d: Pick<Delivery, 'payload'>): string | null {
  try {
    const body = JSON.parse(d.payload) as { data?: { stream?: { id?: unknown } } };
    const id = body.data?.stream?.id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

export function deliveriesOfStream(all: readonly Delivery[], streamId: string): Delivery[] {
  return all.filter((d) => streamIdOfDelivery(d) === streamId);
}
