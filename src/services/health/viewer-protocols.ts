/**
 * Hub subscriber protocols (SubscriberInfo.protocol) that are viewers, by the family they are counted in. The
 * server's own subscribers (the HLS packager `hls`, the transcoder `transcode`) are not viewers; HLS viewers are
 * estimated from playlist requests instead (HlsAudience).
 */
export const VIEWER_FAMILY: Readonly<Record<string, 'rtmp' | 'flv'>> = { rtmp: 'rtmp', rtmps: 'rtmp', flv: 'flv', 'ws-flv': 'flv' };

export type ViewerFamily = 'rtmp' | 'flv' | 'hls';
