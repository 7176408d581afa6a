/** A rendition's timing, decided by its owner (the bridge resolves it from the config and the stream). */
export interface RenditionSettings {
  /** A segment ends at the first video keyframe at or past this duration (audio-only: at it). */
  readonly segmentMs: number;
  /** LL-HLS part target; undefined = standard HLS (no parts, no blocking reload). */
  readonly partMs: number | undefined;
  /** Complete segments kept in the window (MAX_WINDOW_BYTES also bounds it). */
  readonly windowSegments: number;
}
