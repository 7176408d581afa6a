import type { PlannedRung } from './ladder.js';
import { MAX_GOP_SEC, PROGRESS_PERIOD_SEC } from './limits.js';

export type EncoderPreset = 'software' | 'nvenc' | 'vaapi' | 'qsv';

export interface FfmpegJobSpec {
  readonly sourceFps: number;
  readonly hasAudio: boolean;
  readonly rungs: readonly PlannedRung[];
  readonly encoder: EncoderPreset;
}

/** fd of the first rendition output; fds 0-2 are the FLV input, the progress report and the log. */
export const FIRST_OUTPUT_FD = 3;

/**
 * One ffmpeg: FLV in on stdin, one decode, a split/scale graph, one H.264 + AAC-LC encode per rung, each
 * rung out as FLV on its own pipe (fd 3, 4, ...), `-progress` key=value reports on stdout. An array: no shell.
 *
 * Keyframe alignment: `-force_key_frames source` makes every rung's keyframes exactly the source's (x264
 * then never places its own: scenecut off, GOP cap far above a normal source GOP), so segment N of every
 * rendition and of the source covers the same time. A rung with a lower frame rate thins frames with
 * `select` rather than the fps filter, which would drop or move the source keyframes (ffmpeg 5.1).
 */
export function buildFfmpegArgs(spec: FfmpegJobSpec): string[] {
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'warning', '-nostats',
    '-progress', 'pipe:1', '-stats_period', String(PROGRESS_PERIOD_SEC),
    ...hwInit(spec.encoder),
    '-f', 'flv', '-i', 'pipe:0',
    '-filter_complex', filterGraph(spec),
  ];
  spec.rungs.forEach((r, i) => {
    args.push('-map', `[v${i}]`);
    if (spec.hasAudio) args.push('-map', '0:a:0');
    args.push(...videoEncoder(spec.encoder, r, spec.sourceFps));
    if (spec.hasAudio) args.push('-c:a', 'aac', '-b:a', `${r.audioBitrateKbps}k`, '-ar', '48000', '-ac', '2');
    args.push('-f', 'flv', '-flvflags', 'no_duration_filesize', `pipe:${FIRST_OUTPUT_FD + i}`);
  });
  return args;
}

export function filterGraph(spec: FfmpegJobSpec): string {
  const n = spec.rungs.length;
  const head = n === 1 ? '[0:v]' : `[0:v]split=${n}${spec.rungs.map((_, i) => `[s${i}]`).join('')};`;
  const chains = spec.rungs.map((r, i) => {
    const input = n === 1 ? '' : `[s${i}]`;
    const filters = [
      // Keep every source keyframe, and the first frame of each 1/fps slot: ~r.fps, keyframes exact.
      ...(r.reduceFps ? [`select='key+isnan(prev_selected_t)+gte(floor(t*${r.fps})-floor(prev_selected_t*${r.fps}),1)'`] : []),
      `scale=${r.width}:${r.height}`,
      ...hwUpload(spec.encoder),
    ];
    return `${input}${filters.join(',')}[v${i}]`;
  });
  return n === 1 ? `${head}${chains[0]}` : `${head}${chains.join(';')}`;
}

function videoEncoder(encoder: EncoderPreset, r: PlannedRung, sourceFps: number): string[] {
  const gop = String(Math.ceil(MAX_GOP_SEC * sourceFps));
  const rate = ['-b:v', `${r.videoBitrateKbps}k`, '-maxrate', `${Math.round(r.videoBitrateKbps * 1.1)}k`, '-bufsize', `${r.videoBitrateKbps * 2}k`];
  const keys = ['-g', gop, '-force_key_frames', 'source'];
  switch (encoder) {
    case 'software':
      return ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', r.profile, '-pix_fmt', 'yuv420p',
        ...rate, ...keys, '-keyint_min', gop, '-sc_threshold', '0'];
    // Hardware presets (untested here): forced frames must become IDRs, B-frames off for low latency.
    case 'nvenc':
      return ['-c:v', 'h264_nvenc', '-preset', 'p4', '-tune', 'll', '-rc', 'cbr', '-profile:v', r.profile, '-bf', '0',
        '-forced-idr', '1', '-no-scenecut', '1', ...rate, ...keys];
    case 'vaapi':
      return ['-c:v', 'h264_vaapi', '-profile:v', r.profile, '-bf', '0', ...rate, ...keys];
    case 'qsv':
      return ['-c:v', 'h264_qsv', '-preset', 'veryfast', '-profile:v', r.profile, '-bf', '0', '-forced_idr', '1', ...rate, ...keys];
  }
}

function hwInit(encoder: EncoderPreset): string[] {
  return encoder === 'vaapi' ? ['-vaapi_device', '/dev/dri/renderD128'] : [];
}

function hwUpload(encoder: EncoderPreset): string[] {
  return encoder === 'vaapi' ? ['format=nv12', 'hwupload'] : [];
}
