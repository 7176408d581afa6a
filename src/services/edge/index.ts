export { FirstOwnerLocator, type OwnerAddress, type OwnerLocator, ownerFoundGone, StaticOwnerLocator } from './owner-locator.js';
export {
  EDGE_HLS_HEADER, EDGE_TOKEN_PARAM, EDGE_VIEWERS_HEADER, signEdgeHlsRequest, signEdgeToken, verifyEdgeHlsRequest, verifyEdgeToken,
} from './edge-token.js';
export { withInternalPulls } from './internal-play-auth.js';
export {
  DEFAULT_EDGE_PULL_OPTIONS, EDGE_PROTOCOL, EdgePulls, PULL_SUBSCRIBER_PROTOCOL, ownPublisher, type EdgePullOptions, type PullConnector, type PullHandle, type PullHooks, type PullRequest,
} from './edge-pulls.js';
export { EdgeRenditions, renditionAwareLocator, type LadderOf } from './edge-renditions.js';
export { PulledPaths } from './pulled-paths.js';
