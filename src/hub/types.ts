import type { MediaPacket, StreamMetadata } from '../core/media-packet.js';

/** Who is publishing: for stats, events and logs. Never carries a stream key. */
export interface PublisherInfo {
  readonly protocol: string;
  readonly remoteAddress: string;
  /** Application id of the stream (API stream id), when known. */
  readonly streamId?: string;
  /** How the stream's owner wants it delivered; outputs fall back to the server's config for what is unset. */
  readonly delivery?: DeliveryPreferences;
}

/** Longest reconnect window a stream may ask for (API, auth callback, server config). */
export const MAX_RECONNECT_WINDOW_SEC = 3600;

/** HLS flavours a stream may ask for (API, auth callback, server config); see bridges/hls/hls-settings.ts. */
export const LATENCY_MODES = ['low', 'lowest', 'standard'] as const;
export type LatencyMode = (typeof LATENCY_MODES)[number];

/** Per-stream delivery settings the hub carries from the publish decision to the output bridges. */
export interface DeliveryPreferences {
  /**
   * HLS flavour: `low` = LL-HLS with parts, `lowest` = LL-HLS with the shortest parts and hold-back the rules allow
   * (more requests per viewer), `standard` = longer segments, no parts.
   */
  readonly latencyMode?: LatencyMode;
  /** How long outputs keep the stream resumable after its publisher drops. */
  readonly reconnectWindowSec?: number;
  /** Record the live sessions (services/recording). */
  readonly record?: boolean;
}

export interface SubscriberInfo {
  readonly protocol: string;
  readonly remoteAddress: string;
}

/**
 * The output side of a subscriber, implemented by each output bridge (RTMP play, HTTP-FLV, HLS muxer, ...).
 * Calls are synchronous and must not throw; a sink that fails closes itself through its Subscription.
 */
export interface SubscriberSink {
  /** Bytes accepted but not yet delivered to the peer (e.g. socket.writableLength); 0 for in-process sinks. */
  readonly pendingBytes: number;
  /**
   * How long media may wait on its way in without hurting this output's viewers, in ms (e.g. a fraction of an
   * HLS part). Ingest bridges may batch input up to the smallest tolerance among a stream's subscribers
   * (Publisher.latencyToleranceMs). Absent = 0: a real-time player, every packet at once.
   */
  readonly latencyToleranceMs?: number;
  /** Metadata changed (also sent once at start when known). */
  onMetadata(metadata: StreamMetadata): void;
  /** A config or frame; `dts` is rebased for this subscriber (starts near 0), `p.dts` is the stream timeline. */
  onPacket(p: MediaPacket, dts: number): void;
  /** The publisher left (or was replaced); more media may follow from a new publisher. */
  onPublisherEnd(reason: string): void;
  /** A (new) publisher started on this stream. */
  onPublisherStart(): void;
  /** The hub ends this subscription (slow reader, stream gone, shutdown). Called once. */
  onClose(reason: string): void;
}

export interface SubscriberStats {
  packetsDelivered: number;
  bytesDelivered: number;
  /** Times the subscriber went over budget and skipped to the next keyframe. */
  dropEpisodes: number;
  packetsDropped: number;
}

export interface StreamStats {
  bytesIn: number;
  videoFrames: number;
  audioFrames: number;
  keyframes: number;
  /** Timestamp repairs on the ingest side. */
  timestampWraps: number;
  timestampJumps: number;
  timestampNonMonotonic: number;
  gopOverflows: number;
  publishers: number;
}

export interface StreamEventInfo {
  readonly path: string;
  readonly publisherId: number;
  readonly publisher: PublisherInfo;
  readonly startedAt: Date;
}

export interface PublishEndInfo extends StreamEventInfo {
  readonly reason: string;
  readonly bytesIn: number;
  readonly durationMs: number;
}

export type HubEvents = {
  /** A publisher attached to a path. */
  publish: [StreamEventInfo];
  /** The first decodable frame arrived (first video keyframe, or first audio frame of an audio-only stream). */
  active: [StreamEventInfo];
  /** A publisher detached (closed, kicked or taken over). */
  unpublish: [PublishEndInfo];
  subscribe: [{ path: string; subscriber: SubscriberInfo; subscribers: number }];
  unsubscribe: [{ path: string; subscriber: SubscriberInfo; subscribers: number; reason: string; stats: SubscriberStats }];
};
