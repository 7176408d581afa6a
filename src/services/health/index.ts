export { HealthMonitor, type HealthMonitorDeps, type HealthMonitorEvents, type StableHealthChange } from './health-monitor.js';
export { HlsAudience, hlsSessionIdleMs, sessionId, type AudienceShare } from './hls-audience.js';
export { SiblingPlayers, type AudienceSource, type PlayerShare } from './sibling-players.js';
export { decodeAudienceReport, encodeAudienceReport, type NodeAudienceReport } from './audience-report.js';
export { connectHealthWebhooks } from './health-webhooks.js';
export { offlineReport, type HealthReport, type ViewerCounts } from './health-report.js';
export type { HealthSample } from './health-history.js';
export { MAX_HEALTH_FEEDS, MAX_REPORTED_SESSIONS, MAX_REPORTED_STREAMS } from './limits.js';
export { VIEWER_FAMILY, playerShareOf, type ViewerFamily } from './viewer-protocols.js';
