import type { LatencyMode } from '../../hub/index.js';
import { MASKED_SECRET } from './limits.js';

/** The live stream resource as the services see it (the HTTP layer adds URLs and hides what it must). */
export type { LatencyMode };
export type PlaybackPolicy = 'public' | 'signed';
export type StreamStatus = 'idle' | 'active' | 'disabled';

/** One rendition of a custom transcoding ladder (consumed by services/transcode; stored and validated here). */
export interface LadderRung {
  /** Rendition name, the last segment of its hub path (`live/<playbackId>/<name>`); default `<height>p`. */
  readonly name?: string;
  readonly height: number;
  readonly videoBitrateKbps: number;
  /** AAC-LC 48 kHz bitrate; default by height (see services/transcode/ladder.ts). */
  readonly audioBitrateKbps?: number;
  /** Never above the source's; default the source's (capped per rung in the default ladder). */
  readonly fps?: number;
  /** Only H.264 for now. */
  readonly codec?: 'h264';
}

/**
 * `passthrough` (and `[]`): the source only. `default`: the source as top rung, then 720p/480p/360p below it.
 * A list: the source as top rung, then these rungs (those above the source's height are left out).
 */
export type LadderSetting = 'passthrough' | 'default' | readonly LadderRung[];

/** A rendition name: one lower-case path segment, so it survives name canonicalisation unchanged. */
export const RENDITION_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export interface StreamSettings {
  readonly latencyMode: LatencyMode;
  readonly reconnectWindowSec: number;
  readonly ladder: LadderSetting;
  readonly record: boolean;
  readonly playbackPolicy: PlaybackPolicy;
  /** Opaque application data (e.g. the app's own id), echoed in responses and webhooks. */
  readonly passthrough: string | null;
  /** SRT encryption passphrase for publishing this stream (null: the server's --srt-passphrase, if any). Secret. */
  readonly srtPassphrase?: string | null;
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
  return { ...rest, settings: maskSecretSettings(rest.settings) };
}

/** Settings as anyone but the stream's owner may see them: the SRT passphrase masked. */
export function maskSecretSettings(settings: StreamSettings): StreamSettings {
  return settings.srtPassphrase == null ? settings : { ...settings, srtPassphrase: MASKED_SECRET };
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

/** The hub key of an API stream: never the key, only the public playback id. */
export function streamPathOf(playbackId: string): string {
  return `live/${playbackId}`;
}

/** The hub key of one transcoded rendition of a stream (the source stays at `streamPathOf`). */
export function renditionPathOf(streamPath: string, renditionName: string): string {
  return `${streamPath}/${renditionName}`;
}
