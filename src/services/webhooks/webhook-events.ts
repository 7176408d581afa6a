import type { SessionRecord, StreamSummary } from '../streams/stream-types.js';
import type { AssetSummary } from '../recording/asset-types.js';

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
  'asset.created',
  'asset.ready',
  'asset.failed',
  'asset.deleted',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * `data` of a delivery body. The stream never carries its key: webhook bodies leave the server. Asset events
 * carry the asset, and the stream while it exists (a recording outlives a deleted stream).
 */
export interface WebhookEventData {
  readonly stream?: StreamSummary;
  readonly session?: SessionRecord;
  readonly asset?: AssetSummary;
}

/** What the stream services need from the webhook system: fire-and-persist, never throws into the caller. */
export interface EventPublisher {
  publish(type: WebhookEventType, data: WebhookEventData): Promise<void>;
}

/** An EventPublisher that drops everything (tests, or a build without webhooks). */
export const NULL_EVENT_PUBLISHER: EventPublisher = { publish: async () => {} };
