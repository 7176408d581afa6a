import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { TargetService, TargetWithStatus } from '../../../../services/repush/index.js';
import { ApiError } from '../../api-errors.js';
import { IdParams, withErrors } from '../schemas/common-schemas.js';
import { CreateTargetBody, TargetParams, TargetSchema, UpdateTargetBody } from '../schemas/target-schemas.js';
import { targetView } from '../target-views.js';

const tags = ['targets'];
const security = [{ bearer: [] }];

type Params = { Params: Static<typeof TargetParams> };

function streamFound<T>(v: T | null): T {
  if (v === null) throw new ApiError('stream_not_found', 'no stream with this id');
  return v;
}

function targetFound(t: TargetWithStatus | null): TargetWithStatus {
  if (!t) throw new ApiError('target_not_found', 'no target with this id on this stream');
  return t;
}

/**
 * `/api/v1/streams/:id/targets`: re-push destinations of a stream. Admin-only like the whole API: a target
 * URL may point anywhere the operator chooses (public ingests, or hosts on the server's own network).
 */
export function targetsRoutes(targets: TargetService): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CreateTargetBody> }>('/streams/:id/targets', {
      schema: { tags, security, summary: 'Add a re-push target (pushed while the stream is live)', params: IdParams, body: CreateTargetBody, response: withErrors({ 201: TargetSchema }) },
    }, async (req, reply) => reply.status(201).send(targetView(streamFound(await targets.create(req.params.id, req.body)))));

    app.get<{ Params: Static<typeof IdParams> }>('/streams/:id/targets', {
      schema: { tags, security, summary: "List a stream's targets with their live status (keys masked)", params: IdParams, response: withErrors({ 200: Type.Object({ data: Type.Array(TargetSchema) }) }) },
    }, async (req) => ({ data: streamFound(await targets.list(req.params.id)).map(targetView) }));

    app.get<Params>('/streams/:id/targets/:targetId', {
      schema: { tags, security, summary: 'Get a target and its live status', params: TargetParams, response: withErrors({ 200: TargetSchema }) },
    }, async (req) => targetView(targetFound(await targets.get(req.params.id, req.params.targetId))));

    app.patch<Params & { Body: Static<typeof UpdateTargetBody> }>('/streams/:id/targets/:targetId', {
      schema: { tags, security, summary: 'Update a target; applies to a live stream at once (enabled: false stops the push)', params: TargetParams, body: UpdateTargetBody, response: withErrors({ 200: TargetSchema }) },
    }, async (req) => targetView(targetFound(await targets.update(req.params.id, req.params.targetId, req.body))));

    app.delete<Params>('/streams/:id/targets/:targetId', {
      schema: { tags, security, summary: 'Delete a target (a live push to it stops)', params: TargetParams, response: withErrors({ 204: Type.Null() }) },
    }, async (req, reply) => {
      if (!(await targets.delete(req.params.id, req.params.targetId))) throw new ApiError('target_not_found', 'no target with this id on this stream');
      return reply.status(204).send();
    });
  };
}
