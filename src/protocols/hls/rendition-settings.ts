/** A rendition's timing, decided by its owner (the bridge resolves it from the config and the stream). */
export interface RenditionSettings {
  /** A segment ends at the first video keyframe at or past this duration (audio-only: at it). */
  readonly segmentMs: number;
  /** LL-HLS part target; undefined = standard HLS (no parts, no blocking reload). */
  readonly partMs: number | undefined;
  /** PART-TARGET fitted to the stream's frame cadence (part-target.ts); false = the part target + 15 %. Default true. */
  readonly fitPartTarget?: boolean;
  /** Complete segments kept in the window (MAX_WINDOW_BYTES also bounds it). */
  readonly windowSegments: number;
}
