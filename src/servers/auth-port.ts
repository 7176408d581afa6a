/**
 * What the RTMP server asks the auth service (structurally the same contract as services/auth exports; the
 * server depends only on this shape). A decision names the hub stream path, which never contains a key.
 */
export interface PublishAuthRequest { app: string; name: string; query: string; clientIp: string; protocol: 'rtmp' | 'rtmps' | 'srt' }
export type PublishDecision =
  | { ok: true; streamPath: string; streamId?: string; playbackId?: string }
  | { ok: false; code: 'bad_name' | 'unauthorized' | 'rate_limited' | 'disabled'; reason: string };
export interface PlayAuthRequest { app: string; name: string; query: string; clientIp: string; protocol: 'rtmp' | 'rtmps' | 'hls' | 'flv' | 'ws-flv' }
export type PlayDecision = { ok: true; streamPath: string; streamId?: string } | { ok: false; code: 'not_found' | 'unauthorized' | 'bad_name'; reason: string };

export interface RtmpAuth {
  authorizePublish(req: PublishAuthRequest): Promise<PublishDecision>;
  authorizePlay(req: PlayAuthRequest): Promise<PlayDecision>;
}
