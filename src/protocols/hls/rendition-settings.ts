/** A rendition's timing, decided by its owner (the bridge resolves it from the config and the stream). */
export interface RenditionSettings {
  /** A segment ends at the first video keyframe at or past this duration (audio-only: at it). */
  readonly segmentMs: number;
  /** LL-HLS part target; undefined = standard HLS (no parts, no blocking reload). */
  readonly partMs: number | undefined;
  /** PART-TARGET fitted to the stream's frame cadence (part-target.ts); false = the part target + 15 %. Default true. */
  readonly fitPartTarget?: boolean;
  /** PART-HOLD-BACK in part targets (rfc8216bis §4.4.3.8: MUST >= 2, SHOULD >= 3); default PART_HOLD_BACK_PARTS. */
  readonly partHoldBackParts?: number;
  /**
   * LL-HLS: a new viewer's first media playlist (no delivery directives) is held at most this long, until a player
   * starting PART-HOLD-BACK behind its newest part starts inside an INDEPENDENT part (HlsRendition.keyframeStart);
   * 0 or absent = answered at once.
   */
  readonly keyframeStartMaxMs?: number;
  /** Complete segments kept in the window (MAX_WINDOW_BYTES also bounds it). */
  readonly windowSegments: number;
}
