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

/**
 * `--auth open`: any well-formed name publishes and plays; the hub path is `<app>/<name>`. For local
 * development and tests only (the server logs a loud warning).
 */
export class OpenAuth implements RtmpAuth {
  async authorizePublish(req: PublishAuthRequest): Promise<PublishDecision> {
    const name = openName(req.name);
    return name ? { ok: true, streamPath: `${req.app.toLowerCase()}/${name}` } : { ok: false, code: 'bad_name', reason: 'name fails the whitelist' };
  }

  async authorizePlay(req: PlayAuthRequest): Promise<PlayDecision> {
    const name = openName(req.name);
    return name ? { ok: true, streamPath: `${req.app.toLowerCase()}/${name}` } : { ok: false, code: 'bad_name', reason: 'name fails the whitelist' };
  }
}

/** Canonical open-mode name: lower case, no empty segments, whitelist `[a-z0-9_-]`. */
function openName(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  const name = decoded.toLowerCase().replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  return /^[a-z0-9_-]{1,128}$/.test(name) ? name : undefined;
}
