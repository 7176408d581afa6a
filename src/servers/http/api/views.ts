import type { Static } from '@sinclair/typebox';
import { maskSecretSettings, type SessionRecord, type StreamRecord, streamPathOf } from '../../../services/streams/stream-types.js';
import type { TranscodeStatus } from '../../../services/transcode/types.js';
import type { StreamUrls } from '../../../services/streams/stream-urls.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../../../services/webhooks/webhook-types.js';
import type { SessionSchema, StreamListItemSchema, StreamSchema } from './schemas/stream-schemas.js';
import type { DeliverySchema, WebhookListItemSchema, WebhookSchema } from './schemas/webhook-schemas.js';

/**
 * Service records -> API JSON. Which fields leave is decided by the route's response schema.
 * `liveHere`: true when the database's row may lag the stream (writes queued during a PostgreSQL outage, not replayed
 * yet) and a publisher of it is live on this node: an `idle` row is then shown `active`, as it will be once they are.
 */
export function streamView(
  s: StreamRecord, urls: StreamUrls, host: string | undefined, transcodeOf?: (streamPath: string) => TranscodeStatus | undefined,
  liveHere?: (streamPath: string) => boolean,
): Static<typeof StreamSchema> {
  const streamPath = streamPathOf(s.playbackId);
  const transcode = transcodeOf?.(streamPath);
  return {
    id: s.id,
    name: s.name,
    status: s.status === 'idle' && liveHere?.(streamPath) ? 'active' : s.status,
    streamKey: s.streamKey,
    playbackId: s.playbackId,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    ingest: urls.ingest(host),
    playback: urls.playback(s.playbackId, host),
    settings: { ...s.settings, ladder: typeof s.settings.ladder === 'string' ? s.settings.ladder : [...s.settings.ladder], srtPassphrase: s.settings.srtPassphrase ?? null },
    ...(transcode ? { transcode: transcodeView(transcode) } : {}),
  };
}

function transcodeView(t: TranscodeStatus): NonNullable<Static<typeof StreamSchema>['transcode']> {
  return {
    state: t.state, ladder: t.ladder, reason: t.reason, detail: t.detail, droppedRungs: [...t.droppedRungs],
    renditions: t.renditions.map((r) => ({ ...r })), speed: t.speed, restarts: t.restarts,
  };
}

/** Typed as the key-less view: the compiler refuses a list item built with a key. */
export function streamListItemView(
  s: StreamRecord, urls: StreamUrls, host: string | undefined, transcodeOf?: (streamPath: string) => TranscodeStatus | undefined,
  liveHere?: (streamPath: string) => boolean,
): Static<typeof StreamListItemSchema> {
  const { streamKey: _key, ...rest } = streamView(s, urls, host, transcodeOf, liveHere);
  return { ...rest, settings: { ...rest.settings, srtPassphrase: maskSecretSettings(s.settings).srtPassphrase ?? null } };
}

export function sessionView(s: SessionRecord): Static<typeof SessionSchema> {
  return {
    id: s.id,
    protocol: s.protocol,
    remoteAddress: s.remoteAddress,
    startedAt: s.startedAt.toISOString(),
    activeAt: s.activeAt?.toISOString() ?? null,
    endedAt: s.endedAt?.toISOString() ?? null,
    durationSec: s.endedAt ? (s.endedAt.getTime() - s.startedAt.getTime()) / 1000 : null,
    bytesIn: s.bytesIn,
    endReason: s.endReason,
  };
}

export function webhookView(e: WebhookEndpointRecord): Static<typeof WebhookSchema> {
  return {
    id: e.id,
    url: e.url,
    secret: e.secret,
    events: [...e.events],
    enabled: e.enabled,
    description: e.description,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

export function webhookListItemView(e: WebhookEndpointRecord): Static<typeof WebhookListItemSchema> {
  const { secret: _secret, ...rest } = webhookView(e);
  return rest;
}

export function deliveryView(d: WebhookDeliveryRecord): Static<typeof DeliverySchema> {
  return {
    id: d.id,
    eventId: d.eventId,
    endpointId: d.endpointId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    payload: d.payload,
  };
}
