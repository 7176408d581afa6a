import type { StreamHub } from './hub/index.js';
import type { ClusterCoordinator } from './services/cluster/index.js';
import { EDGE_PROTOCOL, PulledPaths, ownerFoundGone } from './services/edge/index.js';
import { ClusterHealthList } from './servers/http/api/cluster-health-list.js';
import type { HealthRoutesDeps } from './servers/http/api/health-lookup.js';

/**
 * --cluster: the health API answers the same on every node (README "Ingest health"). A stream's health and its feed
 * are the owning node's (located in the registry as the edges' pulls and HLS proxy locate it; under --workers the
 * owner's shared port, where the machine's workers find the owning one), and `/api/v1/health` lists the cluster's
 * streams, each listed once by its owner: a node leaves out the streams it holds as pulls. `siblingNode`: --workers,
 * a node id that is another worker of this machine (reached over IPC, never over the cluster).
 */
export function clusterHealth(coordinator: ClusterCoordinator, hub: StreamHub, siblingNode: (nodeId: string) => boolean = () => false): {
  ownerNode: NonNullable<HealthRoutesDeps['ownerNode']>;
  clusterList: NonNullable<HealthRoutesDeps['clusterList']>;
  /** Nodes left out of a list since start (onair_health_list_nodes_missing_total). */
  missingNodes(): number;
} {
  const pulled = new PulledPaths(hub, (publisher) => publisher.protocol === EDGE_PROTOCOL);
  const list = new ClusterHealthList(() => coordinator.nodes(), (nodeId) => nodeId === coordinator.nodeId || siblingNode(nodeId));
  return {
    ownerNode: async (path) => {
      const owner = await coordinator.locate(path);
      // The owner itself answers here (no hop to its own port); a sibling worker is reached over its internal port.
      if (!owner?.httpUrl || owner.nodeId === coordinator.nodeId || siblingNode(owner.nodeId)) return undefined;
      // Gone by the registry alone (its heartbeat overdue: killed, its lease not expired yet), not by a refused
      // connection: a live node whose API does not answer is a 502 (ownerFoundGone without an error).
      return { base: owner.httpUrl, gone: () => ownerFoundGone(coordinator, owner.nodeId, undefined) };
    },
    clusterList: { others: (req) => list.others(req), pulledHere: (path) => pulled.has(path) },
    missingNodes: () => list.missing,
  };
}
