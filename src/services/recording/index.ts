export { RecordingService, type RecordingServiceDeps } from './recording-service.js';
export { AssetService, type AssetMedia } from './asset-service.js';
export type { AssetRecord, AssetStatus, AssetSummary, RecordedTrack } from './asset-types.js';
export { ASSET_STATUSES } from './asset-types.js';
export type { RecordingPort, RecorderHandle, RecorderOptions, RecordingResult } from './recording-port.js';
export { statfsFreeBytes, type FreeSpaceReader } from './disk-guard.js';
