import { isIP } from 'node:net';
import { OnAirError } from '../../core/errors.js';

export interface RtmpUrl {
  secure: boolean;
  host: string;
  port: number;
  app: string;
  /** The stream name (play or publish); empty for a server URL. */
  name: string;
  tcUrl: string;
}

/** Default ports: 1935 for rtmp, 443 for rtmps (what YouTube, Facebook and Twitch's RTMPS ingests use). */
const DEFAULT_PORT = { rtmp: 1935, rtmps: 443 } as const;

function parse(url: string): { u: URL; secure: boolean; port: number; segments: string[] } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OnAirError('ONAIR_ERR_CONFIG', 'not an absolute URL');
  }
  const secure = u.protocol === 'rtmps:';
  if (!secure && u.protocol !== 'rtmp:') throw new OnAirError('ONAIR_ERR_CONFIG', `not an rtmp url: ${u.protocol}`);
  if (!u.hostname) throw new OnAirError('ONAIR_ERR_CONFIG', 'rtmp url without a host');
  const port = u.port ? Number(u.port) : secure ? DEFAULT_PORT.rtmps : DEFAULT_PORT.rtmp;
  return { u, secure, port, segments: u.pathname.replace(/^\/+/, '').replace(/\/+$/, '').split('/').filter(Boolean) };
}

/** The host as a socket wants it: URL keeps IPv6 literals in brackets. */
function socketHost(u: URL): string {
  return u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
}

/** Splits rtmp(s)://host[:port]/app[/more]/name like ffmpeg: the last segment is the stream name. */
export function parseRtmpUrl(url: string): RtmpUrl {
  const { u, secure, port, segments } = parse(url);
  const name = segments.pop() ?? '';
  const app = segments.join('/');
  return { secure, host: socketHost(u), port, app, name: name + u.search, tcUrl: `${u.protocol}//${u.hostname}:${port}/${app}` };
}

/**
 * An ingest server URL as OBS takes it ("Server": rtmp(s)://host[:port]/app[/instance]); the stream key is
 * given apart and is the publish name. The whole path (and a query, which some ingests put on the app) is
 * the app, as ffmpeg sends it when the key is a separate argument.
 */
export function parseRtmpServerUrl(url: string): RtmpUrl {
  const { u, secure, port, segments } = parse(url);
  const app = segments.join('/') + u.search;
  return { secure, host: socketHost(u), port, app, name: '', tcUrl: `${u.protocol}//${u.hostname}:${port}/${app}` };
}

/** The TLS server name for a host: SNI must not carry an IP address (RFC 6066 section 3). */
export function tlsServerName(host: string): string | undefined {
  return isIP(host) === 0 ? host : undefined;
}
