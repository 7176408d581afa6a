/**
 * Test-only: small MPEG-TS streams built with TsMuxer from synthetic but well-formed access units (a real
 * x264 SPS/PPS, slices of filler bytes, ADTS AAC and MPEG audio frames), with the frames a demuxer must
 * find in them. No start code can occur inside the filler (its bytes are never 0).
 */
import { adtsHeader, buildAvcDecoderConfig, parseAudioSpecificConfig, parseAvcDecoderConfig } from '../../../codecs/index.js';
import { TsMuxer, type TsMuxerOptions } from '../ts-muxer.js';

/** avcC ffmpeg 5.1 + libx264 wrote for 320x240 25 fps High. */
export const AVCC_320x240 = Buffer.from('0164000dffe100196764000dacd94141fb011000000300100000030320f142996001000668ebe3cb22c0fdf8f800', 'hex');
const avc = parseAvcDecoderConfig(AVCC_320x240);
export const SPS = avc.sps[0]!;
export const PPS = avc.pps[0]!;
/** AAC-LC 48 kHz stereo. */
export const ASC_48K_STEREO = Buffer.from('1190', 'hex');
const asc = parseAudioSpecificConfig(ASC_48K_STEREO);

export interface ExpectedFrame {
  readonly codec: string;
  readonly dts: number;
  readonly pts: number;
  readonly keyframe: boolean;
  readonly data: Buffer;
}

export interface SyntheticStream {
  readonly ts: Buffer;
  readonly frames: readonly ExpectedFrame[];
  readonly videoConfig: Buffer;
  readonly audioConfig: Buffer;
}

function filler(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = ((i * 31 + seed * 17) % 255) + 1;
  return b;
}

const sc = Buffer.of(0, 0, 0, 1);
const avcc = (nal: Buffer): Buffer => Buffer.concat([Buffer.of(0, 0, (nal.length >> 8) & 0xff, nal.length & 0xff), nal]);

/**
 * `videoFrames` frames at 25 fps (keyframe every `gop`), B-frame-like pts = dts + 2 frames, and 1024-sample
 * AAC frames at 48 kHz, two per PES, interleaved in time order. Timestamps start at `start90k` (any value:
 * the muxer writes them mod 2^33); expected timestamps are unwrapped.
 */
export function syntheticStream(opts: { videoFrames?: number; gop?: number; start90k?: number; audio?: boolean; muxer?: TsMuxer } = {}): SyntheticStream {
  const n = opts.videoFrames ?? 10;
  const gop = opts.gop ?? 5;
  const start = opts.start90k ?? 126_000;
  const withAudio = opts.audio ?? true;
  const options: TsMuxerOptions = { video: { streamType: 0x1b }, ...(withAudio ? { audio: { streamType: 0x0f } } : {}) };
  const m = opts.muxer ?? new TsMuxer(options);
  const items: { t: number; out: () => Buffer; frames: ExpectedFrame[] }[] = [];
  for (let i = 0; i < n; i++) {
    const key = i % gop === 0;
    const dts = start + i * 3600;
    const pts = dts + 7200;
    const slice = Buffer.concat([Buffer.of(key ? 0x65 : 0x41), filler(200 + ((i * 977) % 2500), i)]);
    const annexB = Buffer.concat([...(key ? [sc, SPS, sc, PPS] : []), sc, slice]);
    items.push({
      t: dts,
      out: () => Buffer.concat([...(key ? [m.writeTables()] : []), m.writeVideo({ dts90k: dts, pts90k: pts, keyframe: key, data: annexB })]),
      frames: [{ codec: 'avc1', dts, pts, keyframe: key, data: avcc(slice) }],
    });
  }
  if (withAudio) {
    const aacFrames = Math.floor((n * 3600) / 1920);
    for (let k = 0; k + 1 < aacFrames; k += 2) {
      const raws = [filler(150 + (k % 7) * 20, k + 1000), filler(150 + ((k + 1) % 7) * 20, k + 1001)];
      const t = start + Math.round((k * 1024 * 90_000) / 48_000);
      const frames = raws.map((data, j) => {
        const ft = start + Math.round(((k + j) * 1024 * 90_000) / 48_000);
        return { codec: 'mp4a', dts: ft, pts: ft, keyframe: true, data };
      });
      const es = Buffer.concat(raws.flatMap((r) => [adtsHeader(asc, r.length), r]));
      items.push({ t, out: () => m.writeAudio({ pts90k: t, data: es }), frames });
    }
  }
  items.sort((a, b) => a.t - b.t);
  const ts = Buffer.concat(items.map((i) => i.out()));
  return { ts, frames: items.flatMap((i) => i.frames), videoConfig: buildAvcDecoderConfig([SPS], [PPS]), audioConfig: ASC_48K_STEREO };
}

/** One MPEG-1 Layer III frame, 128 kbit/s 44.1 kHz stereo (417 bytes, 1152 samples). */
export function mp3Frame(seed: number): Buffer {
  return Buffer.concat([Buffer.from('fffb9064', 'hex'), filler(413, seed)]);
}
