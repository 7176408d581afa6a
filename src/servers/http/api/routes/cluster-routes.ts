import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ClusterCoordinator, NodeDrainer } from '../../../../services/cluster/index.js';
import { withErrors } from '../schemas/common-schemas.js';

const tags = ['cluster'];
const security = [{ bearer: [] }];

const NodeSchema = Type.Object({
  nodeId: Type.String(), rtmpUrl: Type.String(), httpUrl: Type.String(), draining: Type.Boolean(), startedAt: Type.String(),
});
const ClusterSchema = Type.Object({
  nodeId: Type.String(), clustered: Type.Boolean(), draining: Type.Boolean(), leases: Type.Integer(), nodes: Type.Array(NodeSchema),
});
const DrainSchema = Type.Object({ nodeId: Type.String(), draining: Type.Boolean(), publishers: Type.Integer() });

/** `/api/v1/cluster` (this node and the registry) and `/api/v1/admin/drain` (`onair drain`). */
export function clusterRoutes(deps: { coordinator: ClusterCoordinator; drainer: NodeDrainer }): FastifyPluginAsync {
  const { coordinator, drainer } = deps;
  return async (app) => {
    app.get('/cluster', {
      schema: { tags, security, summary: 'This node, its leases and the live nodes of the cluster', response: withErrors({ 200: ClusterSchema }) },
    }, async () => ({
      nodeId: coordinator.nodeId, clustered: coordinator.clustered, draining: drainer.draining, leases: coordinator.held().size,
      nodes: await coordinator.nodes().catch(() => []),
    }));
    app.post('/admin/drain', {
      schema: {
        tags, security, response: withErrors({ 202: DrainSchema }),
        summary: 'Drain this node: refuse new publishers, close the live ones so they reconnect elsewhere, exit when none is left',
      },
    }, async (_req, reply) => {
      const { publishers } = await drainer.drain();
      return reply.code(202).send({ nodeId: coordinator.nodeId, draining: true, publishers });
    });
  };
}
