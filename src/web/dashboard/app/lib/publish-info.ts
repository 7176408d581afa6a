import type { StreamListItem } from '../api/types.js';

/** Quotes one argument for a POSIX shell (the command is meant to be pasted into a terminal). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The RTMP URL an encoder publishes to: OBS's Server and Stream Key joined (what ffmpeg takes). */
export function publishUrl(ingestRtmp: string, streamKey: string): string {
  return `${ingestRtmp.replace(/\/+$/, '')}/${streamKey}`;
}

/**
 * An ffmpeg command that publishes a file in real time with settings OnAir plays well: H.264 + AAC, a
 * keyframe every 2 s (LL-HLS parts and segments start on keyframes), no scene-cut keyframes.
 */
export function ffmpegCommand(ingestRtmp: string, streamKey: string, input = 'input.mp4'): string {
  return [
    'ffmpeg', '-re', '-stream_loop', '-1', '-i', shellQuote(input),
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-b:v', '3000k',
    '-force_key_frames', shellQuote('expr:gte(t,n_forced*2)'), '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '128k', '-ar', '48000',
    '-f', 'flv', shellQuote(publishUrl(ingestRtmp, streamKey)),
  ].join(' ');
}

export interface PlaybackLinks {
  /** Absent when HLS is off on the server. */
  hls?: string;
  rtmp: string;
  httpFlv: string;
  watch: string;
}

/**
 * Every way to play a stream. HTTP-FLV and the watch page live on the same origin as the HLS URL the API
 * returns (the server's public URL or the request's host); with HLS off on the server (no HLS URL), on
 * `pageOrigin` (the dashboard's, served by the same server), and the watch page plays HTTP-FLV. A playback
 * token, when given, is appended.
 */
export function playbackLinks(stream: Pick<StreamListItem, 'playbackId' | 'playback'>, token: string | undefined, pageOrigin: string): PlaybackLinks {
  const { hls } = stream.playback;
  const origin = hls === undefined ? pageOrigin : new URL(hls).origin;
  const id = encodeURIComponent(stream.playbackId);
  const q = token ? `?token=${encodeURIComponent(token)}` : '';
  return {
    ...(hls === undefined ? {} : { hls: hls + q }),
    rtmp: stream.playback.rtmp + q,
    httpFlv: `${origin}/live/${id}.flv${q}`,
    watch: hls === undefined ? `${origin}/watch/${id}?player=flv${q && `&${q.slice(1)}`}` : `${origin}/watch/${id}${q}`,
  };
}

/** The HLS URL the in-page preview loads: same origin as the dashboard (no CORS, works behind a proxy). */
export function previewHlsPath(playbackId: string, token?: string): string {
  return `/hls/${encodeURIComponent(playbackId)}/index.m3u8${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}
