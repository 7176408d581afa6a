import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { WebhookService } from '../../../../services/webhooks/webhook-service.js';
import type { WebhookEndpointRecord, WebhookDeliveryRecord } from '../../../../services/webhooks/webhook-types.js';
import { ApiError } from '../../api-errors.js';
import { IdParams, pageOf, withErrors } from '../schemas/common-schemas.js';
import { CreateWebhookBody, DeliveryQuery, DeliverySchema, UpdateWebhookBody, WebhookListItemSchema, WebhookSchema } from '../schemas/webhook-schemas.js';
import { deliveryView, webhookListItemView, webhookView } from '../views.js';

const tags = ['webhooks'];
const security = [{ bearer: [] }];

function endpoint(e: WebhookEndpointRecord | null): WebhookEndpointRecord {
  if (!e) throw new ApiError('webhook_not_found', 'no webhook endpoint with this id');
  return e;
}

function delivery(d: WebhookDeliveryRecord | null): WebhookDeliveryRecord {
  if (!d) throw new ApiError('delivery_not_found', 'no webhook delivery with this id');
  return d;
}

type Id = { Params: Static<typeof IdParams> };

/** `/api/v1/webhooks`: endpoints and the delivery log. */
export function webhooksRoutes(webhooks: WebhookService): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: Static<typeof CreateWebhookBody> }>('/webhooks', {
      schema: { tags, security, summary: 'Add a webhook endpoint (returns its signing secret)', body: CreateWebhookBody, response: withErrors({ 201: WebhookSchema }) },
    }, async (req, reply) => reply.status(201).send(webhookView(await webhooks.create(req.body))));

    app.get('/webhooks', {
      schema: { tags, security, summary: 'List webhook endpoints (without secrets)', response: withErrors({ 200: Type.Object({ data: Type.Array(WebhookListItemSchema) }) }) },
    }, async () => ({ data: (await webhooks.list()).map(webhookListItemView) }));

    app.get<{ Querystring: Static<typeof DeliveryQuery> }>('/webhooks/deliveries', {
      schema: { tags, security, summary: 'Delivery log, newest first', querystring: DeliveryQuery, response: withErrors({ 200: pageOf(DeliverySchema) }) },
    }, async (req) => {
      const { limit, cursor, endpointId, status } = req.query;
      const page = await webhooks.listDeliveries({ endpointId, status }, limit, cursor);
      return { data: page.items.map(deliveryView), nextCursor: page.nextCursor };
    });

    app.get<Id>('/webhooks/deliveries/:id', {
      schema: { tags, security, summary: 'One delivery', params: IdParams, response: withErrors({ 200: DeliverySchema }) },
    }, async (req) => deliveryView(delivery(await webhooks.getDelivery(req.params.id))));

    app.post<Id>('/webhooks/deliveries/:id/redeliver', {
      schema: { tags, security, summary: 'Send a delivery again (a new delivery of the same event)', params: IdParams, response: withErrors({ 202: DeliverySchema }) },
    }, async (req, reply) => reply.status(202).send(deliveryView(delivery(await webhooks.redeliver(req.params.id)))));

    app.get<Id>('/webhooks/:id', {
      schema: { tags, security, summary: 'Get an endpoint (with its secret)', params: IdParams, response: withErrors({ 200: WebhookSchema }) },
    }, async (req) => webhookView(endpoint(await webhooks.get(req.params.id))));

    app.patch<Id & { Body: Static<typeof UpdateWebhookBody> }>('/webhooks/:id', {
      schema: { tags, security, summary: 'Update an endpoint', params: IdParams, body: UpdateWebhookBody, response: withErrors({ 200: WebhookSchema }) },
    }, async (req) => webhookView(endpoint(await webhooks.update(req.params.id, req.body))));

    app.delete<Id>('/webhooks/:id', {
      schema: { tags, security, summary: 'Delete an endpoint and its deliveries', params: IdParams, response: withErrors({ 204: Type.Null() }) },
    }, async (req, reply) => {
      if (!(await webhooks.delete(req.params.id))) throw new ApiError('webhook_not_found', 'no webhook endpoint with this id');
      return reply.status(204).send();
    });
  };
}
