import { OnAirError } from '../../core/errors.js';
import { checkText, formatAttributes, quoted } from './attributes.js';
import type { Variant } from './types.js';

/**
 * Multivariant (master) playlist writer (RFC 8216 §4.3.4.2). CODECS should always be given: hls.js reads
 * the fMP4 init for the real codec, but Safari and the spec want it (§4.3.4.2 "SHOULD"; hls.js 1.7
 * `src/utils/mp4-tools.ts` parseInitSegment).
 */
export interface MasterPlaylistOptions {
  /** EXT-X-INDEPENDENT-SEGMENTS (§4.3.5.1), default true: OnAir cuts every segment at a keyframe. */
  readonly independentSegments?: boolean;
  /** EXT-X-VERSION; omitted by default (nothing in a plain multivariant playlist needs > 1). */
  readonly version?: number;
}

export function renderMasterPlaylist(variants: readonly Variant[], options: MasterPlaylistOptions = {}): string {
  const out = ['#EXTM3U'];
  if (options.version !== undefined) out.push(`#EXT-X-VERSION:${options.version}`);
  if (options.independentSegments ?? true) out.push('#EXT-X-INDEPENDENT-SEGMENTS');
  for (const v of variants) {
    if (!Number.isSafeInteger(v.bandwidth) || v.bandwidth < 0) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', `BANDWIDTH ${v.bandwidth} is not a decimal-integer`);
    }
    out.push(`#EXT-X-STREAM-INF:${formatAttributes([
      ['BANDWIDTH', String(v.bandwidth)],
      ['AVERAGE-BANDWIDTH', v.averageBandwidth === undefined ? undefined : String(Math.round(v.averageBandwidth))],
      ['RESOLUTION', v.resolution && `${v.resolution.width}x${v.resolution.height}`],
      ['CODECS', v.codecs === undefined ? undefined : quoted(v.codecs)],
      // decimal-floating-point, "rounded to three decimal places" (§4.3.4.2)
      ['FRAME-RATE', v.frameRate === undefined ? undefined : v.frameRate.toFixed(3)],
    ])}`);
    checkText(v.uri);
    out.push(v.uri);
  }
  return `${out.join('\n')}\n`;
}
