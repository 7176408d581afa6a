/**
 * The servers and clients bench/hls-viewers.ts compares for each viewer mode: OnAir serving HLS, LL-HLS or
 * HTTP-FLV to the HTTP viewer load client, nginx-rtmp `hls on` with nginx serving the files (segments only: it has
 * no LL-HLS and no HTTP-FLV), and for HTTP-FLV the same number of RTMP players (OnAir's RTMP client, eager readers)
 * on OnAir and on nginx-rtmp: HTTP-FLV should cost what RTMP costs.
 */
import type { ViewerMode } from './http/viewers-protocol.js';
import { startBareNodeHls, startOnAirBehindCache } from './segment-floor-servers.js';
import { nginxRtmpAvailable, startNginxHlsServing, startOnAir, type BenchServer } from './servers.js';

/** The stream every contender publishes and serves. */
export const STREAM = 'bench';

/** Request paths on a contender's HTTP port (its RTMP port + 1). `{id}` in unknownId is a playback id. */
export interface HttpPaths {
  /** Answers 200 once the stream is playable. */
  readonly ready: string;
  /** What each viewer requests: the media playlist, or the FLV stream. */
  readonly viewer: string;
  readonly unknownId: string;
  readonly healthz: string;
}

export interface Contender {
  readonly name: string;
  /** OnAir's HTTP playback, what issue 17 changes; the others are the peers its ratios are taken against. */
  readonly subject: boolean;
  /** Who reads: the HTTP viewer load client (bench/lib/http-viewers.ts) or RTMP players (bench/lib/load-generator.ts). */
  readonly client: 'http' | 'rtmp';
  readonly paths: HttpPaths;
  /** `loadCpu`: the load client's core, where a contender may run what is not measured (bare-node's upstream). */
  start(cpu: number, port: number, loadCpu: number): Promise<BenchServer>;
}

export interface ContenderOptions {
  readonly workDir: string;
  /** Segments mode on OnAir: the fMP4 playlist its master hands out, or the MPEG-TS one (nginx-rtmp serves TS). */
  readonly format: 'fmp4' | 'ts';
  readonly peer: boolean;
  /** Extra OnAir flags after the mode's own. */
  readonly onairArgs: readonly string[];
  /** Segments mode: also a minimal node:http server serving OnAir's bytes (Node's floor, bench/lib/bare-node-hls.ts). */
  readonly bareNode?: boolean;
  /** Segments mode: also the same bytes served over net with HTTP/1.1 by hand (bare-node-hls.ts --lean). */
  readonly bareNet?: boolean;
  /** Segments mode: also OnAir behind README's nginx proxy_cache, CPU of both counted. */
  readonly behindCache?: boolean;
  /** The CPUs OnAir runs on (taskset list; default: the server's one). */
  readonly onairCpus?: string;
  /** Appended to OnAir's names (` w2`: which worker count). */
  readonly onairSuffix?: string;
}

/** Classic HLS as the issue measures it: standard mode (no parts), 2 s segments like nginx-rtmp's `hls_fragment 2s`. */
const ONAIR_SEGMENT_ARGS = ['--latency-mode', 'standard', '--hls-segment-ms', '2000'];

const onairPaths = (viewer: string): HttpPaths => ({ ready: `/hls/${STREAM}/index.m3u8`, viewer, unknownId: '/hls/{id}/src/media.m3u8', healthz: '/healthz' });
const NGINX_PATHS: HttpPaths = { ready: `/hls/${STREAM}.m3u8`, viewer: `/hls/${STREAM}.m3u8`, unknownId: '/hls/{id}.m3u8', healthz: '/healthz' };

export function contendersFor(mode: ViewerMode, o: ContenderOptions): Contender[] {
  const onair = (base: string, args: readonly string[], client: 'http' | 'rtmp', viewer: string): Contender => {
    const name = `${base}${o.onairSuffix ?? ''}`;
    return {
      name, client, subject: client === 'http', paths: onairPaths(viewer),
      start: (cpu, port) => startOnAir(cpu, port, o.workDir, { args: [...args, ...o.onairArgs], name, ...(o.onairCpus ? { cpus: o.onairCpus } : {}) }),
    };
  };
  const nginx = (name: string, client: 'http' | 'rtmp'): Contender => ({ name, client, subject: false, paths: NGINX_PATHS, start: (cpu, port) => startNginxHlsServing(cpu, port, o.workDir) });
  const withPeer = o.peer && nginxRtmpAvailable();
  switch (mode) {
    case 'segments': {
      const playlist = `/hls/${STREAM}/src/${o.format === 'ts' ? 'ts' : 'media'}.m3u8`;
      const args = [...ONAIR_SEGMENT_ARGS, ...o.onairArgs];
      return [
        onair(`onair ${o.format}`, ONAIR_SEGMENT_ARGS, 'http', playlist),
        ...(o.behindCache ? [{ name: `onair ${o.format}+nginx cache`, client: 'http' as const, subject: true, paths: onairPaths(playlist),
          start: (cpu: number, port: number) => startOnAirBehindCache(cpu, port, o.workDir, args) }] : []),
        ...(o.bareNode ? [{ name: `bare node ${o.format}`, client: 'http' as const, subject: false, paths: onairPaths(playlist),
          start: (cpu: number, port: number, loadCpu: number) => startBareNodeHls(cpu, loadCpu, port, o.workDir, args, playlist) }] : []),
        ...(o.bareNet ? [{ name: `bare net ${o.format}`, client: 'http' as const, subject: false, paths: onairPaths(playlist),
          start: (cpu: number, port: number, loadCpu: number) => startBareNodeHls(cpu, loadCpu, port, o.workDir, args, playlist, true) }] : []),
        ...(withPeer ? [nginx('nginx-hls', 'http')] : []),
      ];
    }
    case 'llhls':
      return [onair('onair ll-hls', [], 'http', `/hls/${STREAM}/src/media.m3u8`)];
    case 'flv':
      return [
        onair('onair http-flv', [], 'http', `/live/${STREAM}.flv`),
        onair('onair rtmp', [], 'rtmp', `/live/${STREAM}.flv`),
        ...(withPeer ? [nginx('nginx-rtmp rtmp', 'rtmp')] : []),
      ];
  }
}
