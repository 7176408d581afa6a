import { Type } from '@sinclair/typebox';
import { DateTime, Nullable, PageQuery } from './common-schemas.js';
import { STREAM_EVENT_TYPES } from '../../../../services/streams/stream-events.js';

const EventName = Type.String({ maxLength: 64, description: `"*" or one of: ${STREAM_EVENT_TYPES.join(', ')}` });

export const CreateWebhookBody = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  events: Type.Optional(Type.Array(EventName, { minItems: 1, maxItems: 64 })),
  enabled: Type.Optional(Type.Boolean()),
  description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
}, { additionalProperties: false });

export const UpdateWebhookBody = Type.Partial(CreateWebhookBody, { additionalProperties: false });

const endpointFields = {
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  description: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
};

/** The endpoint's own responses carry its signing secret; the list does not. */
export const WebhookSchema = Type.Object({
  ...endpointFields,
  secret: Type.String({ description: 'HMAC-SHA256 key for the OnAir-Signature header' }),
});
export const WebhookListItemSchema = Type.Object(endpointFields);

export const DeliveryQuery = Type.Object({
  ...PageQuery.properties,
  endpointId: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')])),
}, { additionalProperties: false });

export const DeliverySchema = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  endpointId: Type.String(),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(DateTime),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: DateTime,
  deliveredAt: Nullable(DateTime),
  payload: Type.String({ description: 'the exact JSON body sent and signed: {id, type, time, data: {stream, session?}}' }),
});
