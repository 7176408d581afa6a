/**
 * Hub subscriber protocols (SubscriberInfo.protocol) that are viewers, by the family they are counted in. The
 * server's own subscribers (the HLS packager `hls`, the transcoder `transcode`) are not viewers; HLS viewers are
 * estimated from playlist requests instead (HlsAudience).
 */
export const VIEWER_FAMILY: Readonly<Record<string, 'rtmp' | 'flv'>> = { rtmp: 'rtmp', rtmps: 'rtmp', flv: 'flv', 'ws-flv': 'flv' };

/**
 * RTMP/FLV viewers and the bytes sent to them, from a stream's subscriber totals by protocol, added to `base` (e.g.
 * what sibling workers reported): counts, never a per-viewer object.
 */
export function playerShareOf(
  totals: ReadonlyMap<string, { readonly subscribers: number; readonly bytesDelivered: number }>,
  base: { readonly rtmp: number; readonly flv: number; readonly bytes: number } = { rtmp: 0, flv: 0, bytes: 0 },
): { rtmp: number; flv: number; bytes: number } {
  let { rtmp, flv, bytes } = base;
  for (const [protocol, t] of totals) {
    const family = VIEWER_FAMILY[protocol];
    if (family === undefined) continue;
    bytes += t.bytesDelivered;
    if (family === 'rtmp') rtmp += t.subscribers;
    else flv += t.subscribers;
  }
  return { rtmp, flv, bytes };
}

export type ViewerFamily = 'rtmp' | 'flv' | 'hls';
