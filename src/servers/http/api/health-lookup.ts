import { streamPathOf, type StreamRecord } from '../../../services/streams/stream-types.js';
import { offlineReport, type HealthMonitor, type HealthReport } from '../../../services/health/index.js';
import { ApiError } from '../api-errors.js';

export interface HealthRoutesDeps {
  readonly streams: { get(id: string): Promise<StreamRecord | null> };
  /** Absent with --health off: every stream reads offline. */
  readonly monitor: HealthMonitor | undefined;
  /** SSE feeds open at once (default MAX_HEALTH_FEEDS). */
  readonly maxFeeds?: number;
}

export interface StreamHealthLookup {
  readonly stream: StreamRecord;
  readonly path: string;
  /** The stream's latest report (offline when the server does not hold it); call again for a fresh one. */
  report(): HealthReport;
}

/** The API stream `id` (404 stream_not_found when unknown) and how to read its health. */
export async function healthOf(deps: HealthRoutesDeps, id: string): Promise<StreamHealthLookup> {
  const stream = await deps.streams.get(id);
  if (!stream) throw new ApiError('stream_not_found', 'no stream with this id');
  const path = streamPathOf(stream.playbackId);
  return { stream, path, report: () => deps.monitor?.report(path) ?? offlineReport(path, stream.id, Date.now()) };
}
