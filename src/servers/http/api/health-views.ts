import type { Static } from '@sinclair/typebox';
import type { HealthReport, HealthSample } from '../../../services/health/index.js';
import type { HealthListItemSchema, StreamHealthEventSchema, StreamHealthSchema } from './schemas/health-schemas.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Health reports -> API JSON (times as ISO strings; history samples keep epoch ms for charts). */
export function healthEventView(r: HealthReport, streamId: string): Static<typeof StreamHealthEventSchema> {
  return {
    streamId,
    state: r.state,
    stableState: r.stableState,
    since: r.since === null ? null : iso(r.since),
    updatedAt: iso(r.updatedAt),
    reasons: r.reasons.map((x) => ({ code: x.code, severity: x.severity, message: x.message, since: iso(x.since) })),
    video: r.video,
    audio: r.audio,
    encoder: r.encoder ? { name: r.encoder.name, settings: { ...r.encoder.settings } } : null,
    ingest: r.ingest ? { ...r.ingest, since: iso(r.ingest.since) } : null,
    viewers: r.viewers,
    bytesOut: r.bytesOut,
    sample: r.sample,
  };
}

export function streamHealthView(r: HealthReport, streamId: string, history: HealthSample[]): Static<typeof StreamHealthSchema> {
  const { sample: _sample, ...current } = healthEventView(r, streamId);
  return { ...current, history };
}

export function healthListItemView(r: HealthReport): Static<typeof HealthListItemSchema> {
  return {
    streamId: r.streamId, path: r.path, state: r.state, stableState: r.stableState,
    bitrateKbps: r.video?.bitrateKbps ?? r.audio?.bitrateKbps ?? null, fps: r.video?.fps ?? null, viewers: r.viewers.total,
  };
}

type HealthListItem = Static<typeof HealthListItemSchema>;

/**
 * `--workers`, `--cluster`: the stream list of the machine or the cluster from each worker's and node's (this one's
 * first). Each lists the streams it owns; a path listed twice (a stream that moved between workers or nodes, a
 * leftover in its reconnect window) is listed once, live over offline.
 */
export function mergeHealthLists(lists: readonly (readonly HealthListItem[])[]): HealthListItem[] {
  const byPath = new Map<string, HealthListItem>();
  for (const list of lists) {
    for (const item of list) {
      const seen = byPath.get(item.path);
      if (!seen || (seen.state === 'offline' && item.state !== 'offline')) byPath.set(item.path, item);
    }
  }
  return [...byPath.values()];
}
