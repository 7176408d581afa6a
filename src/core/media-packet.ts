/**
 * The unit of media that crosses the hub: one codec-level access unit or decoder configuration, with
 * timestamps in milliseconds. Protocol-free: ingest bridges translate wire messages into packets and
 * output bridges translate packets back. Buffers are shared and never mutated after creation.
 */
export type MediaKind = 'video' | 'audio';

/**
 * Codec identifiers are the FourCCs of Enhanced RTMP / ISO BMFF sample entries ('avc1', 'hvc1', 'av01',
 * 'vp09', 'mp4a', '.mp3', 'Opus', ...). A codec the server does not know keeps its FourCC and is relayed
 * untouched; legacy FLV audio formats without a FourCC use 'flv-audio-<SoundFormat>'.
 */
export type Codec = string;

/**
 * config: decoder configuration record (avcC, hvcC, av1C, vpcC, AudioSpecificConfig);
 * frame: one access unit (AVCC length-prefixed NAL units for avc1/hvc1, OBUs for av01, a raw AAC frame);
 * end: end of sequence; opaque: a message the server relays without understanding (e.g. E-RTMP metadata).
 */
export type PacketRole = 'config' | 'frame' | 'end' | 'opaque';

export interface MediaPacket {
  readonly kind: MediaKind;
  readonly codec: Codec;
  readonly role: PacketRole;
  /** Decode time in ms. On the hub's stream timeline: monotonic per track, unbounded (no 32-bit wrap). */
  readonly dts: number;
  /** Composition offset in ms: pts = dts + cts. Zero for audio. */
  readonly cts: number;
  /** A random-access point (video IDR / sync sample). Always true for audio frames. */
  readonly keyframe: boolean;
  readonly data: Buffer;
  /**
   * What the ingest wire carried that codec fields do not capture, so a relay back to the same wire is
   * byte-exact: the FLV audio/video tag header byte and the E-RTMP packet type of an opaque message.
   */
  readonly origin?: { readonly flvTagHeader?: number; readonly exPacketType?: number };
}

/** Stream-level metadata (FLV onMetaData): protocol-free key/values with plain JSON-like values. */
export type StreamMetadata = Readonly<Record<string, unknown>>;
