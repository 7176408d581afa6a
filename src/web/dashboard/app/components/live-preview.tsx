import { useEffect, useRef, useState } from 'preact/hooks';
import type HlsType from 'hls.js';
import { previewHlsPath } from '../lib/publish-info.js';

export interface PreviewState {
  status: string;
  /** Seconds behind the live edge the playlist advertises (hls.js `latency`). */
  edgeLatency: number | null;
  /** Wall clock minus the playing frame's EXT-X-PROGRAM-DATE-TIME: glass-to-glass when clocks agree. */
  pdtLatency: number | null;
}

const RETRY_MS = 3000;

/**
 * The stream played in the page with hls.js (loaded on this page only) in low-latency mode, muted so it
 * autoplays, from this origin. While the stream is not live the playlist is a 404: retried every 3 s.
 */
export function LivePreview({ playbackId, token, live }: { playbackId: string; token?: string | undefined; live: boolean }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<PreviewState>({ status: live ? 'loading' : 'waiting for the stream', edgeLatency: null, pdtLatency: null });

  useEffect(() => {
    const video = videoRef.current;
    if (!video || !live) {
      setState({ status: 'waiting for the stream', edgeLatency: null, pdtLatency: null });
      return;
    }
    let hls: HlsType | undefined;
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let meter: ReturnType<typeof setInterval> | undefined;
    const src = previewHlsPath(playbackId, token);
    const status = (s: string) => setState((st) => (st.status === s ? st : { ...st, status: s }));
    const onPlaying = () => status('playing');
    const onWaiting = () => status('buffering');
    video.addEventListener('playing', onPlaying);
    video.addEventListener('waiting', onWaiting);
    const play = () => void video.play().catch(() => status('press play'));

    void import('hls.js').then(({ default: Hls }) => {
      if (closed) return;
      if (!Hls.isSupported()) {
        if (video.canPlayType('application/vnd.apple.mpegurl')) {
          video.src = src; // Safari: native HLS
          play();
        } else status('this browser cannot play HLS');
        return;
      }
      // enableWorker false: no segment-boundary stall in hls.js 1.7 (see watch-script.ts and the README's "Known player bug").
      const player = new Hls({ lowLatencyMode: true, backBufferLength: 30, enableWorker: false });
      hls = player;
      player.on(Hls.Events.MANIFEST_PARSED, play);
      player.on(Hls.Events.ERROR, (_e, data) => {
        if (!data.fatal || closed) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
          player.recoverMediaError();
          return;
        }
        status(data.details === 'manifestLoadError' ? 'waiting for the stream' : `error: ${data.details}`);
        clearTimeout(retry);
        retry = setTimeout(() => player.loadSource(src), RETRY_MS);
      });
      player.loadSource(src);
      player.attachMedia(video);
      meter = setInterval(() => {
        const edge = Number.isFinite(player.latency) && player.latency > 0 ? player.latency : null;
        const pdt = player.playingDate ? (Date.now() - player.playingDate.getTime()) / 1000 : null;
        setState((st) => ({ ...st, edgeLatency: edge, pdtLatency: pdt }));
      }, 500);
    }).catch(() => status('could not load the player'));

    return () => {
      closed = true;
      clearTimeout(retry);
      clearInterval(meter);
      video.removeEventListener('playing', onPlaying);
      video.removeEventListener('waiting', onWaiting);
      hls?.destroy();
      video.removeAttribute('src');
    };
  }, [playbackId, token, live]);

  const fmt = (s: number | null) => (s == null ? '–' : `${s.toFixed(2)} s`);
  return (
    <div class="preview">
      <video ref={videoRef} aria-label="Live preview" controls muted autoplay playsInline />
      <dl class="figures" aria-label="Preview figures">
        <div><dt>Player</dt><dd data-testid="preview-status">{state.status}</dd></div>
        <div><dt>Latency (PDT)</dt><dd data-testid="preview-latency">{fmt(state.pdtLatency)}</dd></div>
        <div><dt>Behind live edge</dt><dd>{fmt(state.edgeLatency)}</dd></div>
      </dl>
    </div>
  );
}
