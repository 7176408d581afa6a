export { OnAirMetrics, type OnAirMetricsSources, type HlsRequestObservation, type EdgeHlsProxySource, type LeanRequestCounts } from './onair-metrics.js';
export { HEALTH_STATE_VALUE } from './stream-metrics.js';
