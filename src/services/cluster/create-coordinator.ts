import type { Config } from '../../config/schema.js';
import type { Logger } from '../../core/logger.js';
import type { ClusterCoordinator } from './cluster-types.js';
import { LocalCoordinator } from './local-coordinator.js';
import { RedisCoordinator } from './redis-coordinator.js';
import { resolveNodeId } from './cluster-settings.js';

/**
 * `--cluster redis://...`: the Redis coordinator; otherwise the single-node one (no Redis, no change in behaviour).
 * `instance`: the process's claim on its node id (a `--workers` worker's slot keeps one across restarts).
 */
export function createCoordinator(config: Config, log: Logger, instance?: string): ClusterCoordinator {
  const nodeId = resolveNodeId(config);
  if (!config.cluster) return new LocalCoordinator(nodeId);
  return new RedisCoordinator({ url: config.cluster, nodeId, leaseMs: config.clusterLeaseMs, log, ...(instance ? { instance } : {}) });
}
