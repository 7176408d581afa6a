/** The ports clients reach; a getter in main.ts reports the bound ports when the config says 0 (ephemeral). */
export interface PublicPorts {
  readonly rtmp: number;
  /** Null when RTMPS is not configured (no TLS cert/key). */
  readonly rtmps: number | null;
  readonly http: number;
  /** Null when SRT is off (--srt-port 0); absent = off. */
  readonly srt?: number | null;
}

export interface StreamUrlConfig {
  /** config.publicUrl: e.g. `https://live.example.com`; empty = the request's Host. */
  readonly publicUrl: string;
  /** config.hls: false (--hls off) = no HLS playback URL, as /hls answers 404 on this server. */
  readonly hls: boolean;
  readonly ports: () => PublicPorts;
}

export interface IngestUrls {
  readonly rtmp: string;
  readonly rtmps?: string;
  /** SRT listener; the caller adds `streamid=#!::r=live/<streamKey>,m=publish`. */
  readonly srt?: string;
}

export interface PlaybackUrls {
  /** Absent when HLS is off on this server (--hls off). */
  readonly hls?: string;
  readonly rtmp: string;
  /** MPEG-TS over SRT. */
  readonly srt?: string;
}

/** The RTMP application encoders publish to; the key is the stream name inside it (OBS: Server + Stream Key). */
export const INGEST_APP = 'live';

/**
 * Builds the URLs in a stream response. With a public URL its origin is the HTTP base (a reverse proxy
 * owns that port) and its hostname carries the RTMP ports; else the request's Host name with the
 * configured ports. A Host that is not a plain host[:port] falls back to `localhost` (it is echoed into
 * responses, so it must not smuggle a path or credentials).
 */
export class StreamUrls {
  constructor(private readonly config: StreamUrlConfig) {}

  ingest(requestHost?: string): IngestUrls {
    const host = this.hostname(requestHost);
    const ports = this.config.ports();
    const rtmp = `rtmp://${host}:${ports.rtmp}/${INGEST_APP}`;
    return {
      rtmp,
      ...(ports.rtmps === null ? {} : { rtmps: `rtmps://${host}:${ports.rtmps}/${INGEST_APP}` }),
      ...(ports.srt ? { srt: `srt://${host}:${ports.srt}` } : {}),
    };
  }

  playback(playbackId: string, requestHost?: string): PlaybackUrls {
    const host = this.hostname(requestHost);
    const ports = this.config.ports();
    return {
      ...(this.config.hls ? { hls: `${this.httpBase(requestHost)}/hls/${playbackId}/index.m3u8` } : {}),
      rtmp: `rtmp://${host}:${ports.rtmp}/${INGEST_APP}/${playbackId}`,
      ...(ports.srt ? { srt: `srt://${host}:${ports.srt}?streamid=#!::r=${INGEST_APP}/${playbackId},m=request` } : {}),
    };
  }

  /** `http(s)://host[:port]` with no trailing slash. */
  httpBase(requestHost?: string): string {
    const pub = parsePublicUrl(this.config.publicUrl);
    if (pub) return `${pub.protocol}//${pub.host}${pub.pathname.replace(/\/+$/, '')}`;
    return `http://${this.hostname(requestHost)}:${this.config.ports().http}`;
  }

  private hostname(requestHost?: string): string {
    const pub = parsePublicUrl(this.config.publicUrl);
    if (pub) return pub.hostname;
    if (requestHost && /^[A-Za-z0-9.\-[\]:]{1,255}$/.test(requestHost)) {
      try {
        const u = new URL(`http://${requestHost}`);
        if (u.hostname) return u.hostname;
      } catch {
        // fall through
      }
    }
    return 'localhost';
  }
}

function parsePublicUrl(publicUrl: string): URL | null {
  if (!publicUrl) return null;
  try {
    const u = new URL(publicUrl);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}
