export interface WebhookEndpointRecord {
  readonly id: string;
  readonly url: string;
  /** Signing secret: returned by the endpoint's own create/get/update responses, never in lists. */
  readonly secret: string;
  /** Subscribed event types, or `['*']` for all. */
  readonly events: readonly string[];
  readonly enabled: boolean;
  readonly description: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveryRecord {
  readonly id: string;
  readonly eventId: string;
  readonly endpointId: string;
  readonly eventType: string;
  /** The exact body sent (and signed). */
  readonly payload: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deliveredAt: Date | null;
}
