import type { SessionRecord, StreamSummary } from '../streams/stream-types.js';

/**
 * Every event type a webhook endpoint can subscribe to. Later issues append here (recording, transcoding);
 * the API validates subscriptions against this list.
 */
export const WEBHOOK_EVENT_TYPES = [
  'stream.created',
  'stream.updated',
  'stream.deleted',
  'stream.connected',
  'stream.active',
  'stream.disconnected',
  'stream.idle',
  'stream.key_reset',
  'stream.disabled',
  'stream.enabled',
  'stream.health.changed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** `data` of a delivery body. The stream never carries its key: webhook bodies leave the server. */
export interface WebhookEventData {
  readonly stream: StreamSummary;
  readonly session?: SessionRecord;
  /** stream.health.changed: the state that held --health-hysteresis-sec, the one before, and why. */
  readonly health?: {
    readonly state: string;
    readonly previousState: string;
    readonly reasons: readonly { readonly code: string; readonly severity: string; readonly message: string; readonly since: string }[];
  };
}

/** What the stream services need from the webhook system: fire-and-persist, never throws into the caller. */
export interface EventPublisher {
  publish(type: WebhookEventType, data: WebhookEventData): Promise<void>;
}

/** An EventPublisher that drops everything (tests, or a build without webhooks). */
export const NULL_EVENT_PUBLISHER: EventPublisher = { publish: async () => {} };
