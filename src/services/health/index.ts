export { HealthMonitor, type HealthMonitorDeps, type HealthMonitorEvents, type StableHealthChange } from './health-monitor.js';
export { HlsAudience, type AudienceShare } from './hls-audience.js';
export { SiblingPlayers, type PlayerShare } from './sibling-players.js';
export { connectHealthWebhooks } from './health-webhooks.js';
export { offlineReport, type HealthReport, type ViewerCounts } from './health-report.js';
export type { HealthSample } from './health-history.js';
export { MAX_HEALTH_FEEDS } from './limits.js';
export { VIEWER_FAMILY, type ViewerFamily } from './viewer-protocols.js';
