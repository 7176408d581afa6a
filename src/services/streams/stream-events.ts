import type { Queryable } from '../../db/database.js';
import type { SessionRecord, StreamSummary } from './stream-types.js';
import type { AssetSummary } from './asset-events.js';

/**
 * Every event the stream services publish. Later issues append here (recording, transcoding). Webhooks
 * subscribe to them (an endpoint names the types it wants; the API validates subscriptions against this list).
 */
export const STREAM_EVENT_TYPES = [
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
  'target.connected',
  'target.failed',
  'asset.created',
  'asset.ready',
  'asset.failed',
  'asset.deleted',
  'stream.health.changed',
] as const;

export type StreamEventType = (typeof STREAM_EVENT_TYPES)[number];

/**
 * `data` of an event (a webhook delivery body). The stream never carries its key: webhook bodies leave the
 * server. Asset events carry the asset, and the stream while it exists (a recording outlives a deleted stream).
 */
export interface StreamEventData {
  readonly stream?: StreamSummary;
  readonly session?: SessionRecord;
  readonly asset?: AssetSummary;
  /** stream.health.changed: the state that held --health-hysteresis-sec, the one before, and why. */
  readonly health?: {
    readonly state: string;
    readonly previousState: string;
    readonly reasons: readonly { readonly code: string; readonly severity: string; readonly message: string; readonly since: string }[];
  };
  /** Re-push events: the target (never its key). */
  readonly target?: TargetEventSummary;
}

/**
 * A re-push target as its events carry it (services/repush fills it; the names of its states and error classes
 * are listed there and in docs/API.md). Declared here so the stream events need nothing from re-push.
 */
export interface TargetEventSummary {
  readonly id: string;
  readonly url: string;
  readonly rendition: string;
  readonly state: string;
  readonly lastError: { readonly class: string; readonly message: string } | null;
}

/**
 * Where the stream services publish their events: fire-and-persist, never throws into the caller. The
 * webhook dispatcher is one (the composition root hands it in); the stream services know no subscriber.
 */
export interface EventPublisher {
  publish(type: StreamEventType, data: StreamEventData): Promise<void>;
}

/**
 * An EventPublisher that can also queue an event inside the caller's transaction, so a write and the event it
 * causes commit together or not at all (the dead-node sweeper: a session it ends and that session's
 * `stream.disconnected`). Unlike `publish`, `publishIn` throws when the event cannot be queued: the caller's
 * transaction then rolls back and the write is retried with its event.
 */
export interface TransactionalEventPublisher extends EventPublisher {
  /** Queues the event in `tx`; returns what to run once `tx` has committed (wake the sender, announce it). */
  publishIn(tx: Queryable, type: StreamEventType, data: StreamEventData): Promise<() => void>;
}

/** An EventPublisher that drops everything (tests, or a build without webhooks). */
export const NULL_EVENT_PUBLISHER: EventPublisher = { publish: async () => {} };
