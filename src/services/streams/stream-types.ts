/** The live stream resource as the services see it (the HTTP layer adds URLs and hides what it must). */
export type LatencyMode = 'standard' | 'low';
export type PlaybackPolicy = 'public' | 'signed';
export type StreamStatus = 'idle' | 'active' | 'disabled';

/** One rendition of the transcoding ladder (consumed by the transcode issue; stored and validated here). */
export interface LadderRung {
  readonly height: number;
  readonly videoBitrateKbps: number;
  readonly fps?: number;
}

export interface StreamSettings {
  readonly latencyMode: LatencyMode;
  readonly reconnectWindowSec: number;
  readonly ladder: readonly LadderRung[];
  readonly record: boolean;
  readonly playbackPolicy: PlaybackPolicy;
  /** Opaque application data (e.g. the app's own id), echoed in responses and webhooks. */
  readonly passthrough: string | null;
}

export interface StreamRecord {
  readonly id: string;
  readonly name: string;
  readonly streamKey: string;
  readonly playbackId: string;
  /** `disabled` wins over the live state. */
  readonly status: StreamStatus;
  readonly settings: StreamSettings;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The stream without its key: what webhooks and every non-stream response may carry. */
export type StreamSummary = Omit<StreamRecord, 'streamKey'>;

export function summarize(stream: StreamRecord): StreamSummary {
  const { streamKey: _key, ...rest } = stream;
  return rest;
}

export interface SessionRecord {
  readonly id: string;
  readonly streamId: string | null;
  readonly streamPath: string;
  readonly protocol: string;
  readonly remoteAddress: string;
  readonly startedAt: Date;
  readonly activeAt: Date | null;
  readonly endedAt: Date | null;
  readonly endReason: string | null;
  readonly bytesIn: number;
}

export interface Page<T> {
  readonly items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  readonly nextCursor: string | null;
}

/** The hub key of an API stream: never the key, only the public playback id. */
export function streamPathOf(playbackId: string): string {
  return `live/${playbackId}`;
}
