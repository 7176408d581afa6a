export type { ClaimResult, ClusterCoordinator, ClusterEvent, LeaseLoss, NodeLiveness, NodeRecord, OwnerAddress, OwnerLocator } from './cluster-types.js';
export { LocalCoordinator } from './local-coordinator.js';
export { RedisCoordinator } from './redis-coordinator.js';
export { createCoordinator } from './create-coordinator.js';
export { ClusterPublishGate } from './publish-gate.js';
export { NodeDrainer, DRAIN_KICK_REASON } from './node-drainer.js';
export { ClusterEventRelay } from './cluster-event-relay.js';
export { DeadNodeSweeper } from './dead-node-sweeper.js';
export { advertisedUrls, checkClusterSettings, resolveNodeId } from './cluster-settings.js';
