import type { TrackInfo } from '../../codecs/codec-info.js';

/** A track as a broadcaster reads it: codec name, profile and level names, size, audio format. */
export interface TrackDescription {
  readonly codec: string;
  readonly profile: string | null;
  readonly level: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly sampleRate: number | null;
  readonly channels: number | null;
}

const CODEC_NAMES: Readonly<Record<string, string>> = {
  avc1: 'h264', hvc1: 'h265', av01: 'av1', vp09: 'vp9', mp4a: 'aac', '.mp3': 'mp3', Opus: 'opus', fLaC: 'flac', 'ac-3': 'ac3', 'ec-3': 'eac3',
};

/** H.264 profile_idc (ITU-T H.264 A.2). */
const H264_PROFILES: Readonly<Record<number, string>> = {
  66: 'Baseline', 77: 'Main', 88: 'Extended', 100: 'High', 110: 'High 10', 122: 'High 4:2:2', 244: 'High 4:4:4 Predictive', 44: 'CAVLC 4:4:4',
};
/** H.265 general_profile_idc (ITU-T H.265 A.3). */
const H265_PROFILES: Readonly<Record<number, string>> = { 1: 'Main', 2: 'Main 10', 3: 'Main Still Picture', 4: 'Range Extensions' };
const AV1_PROFILES: Readonly<Record<number, string>> = { 0: 'Main', 1: 'High', 2: 'Professional' };
/** AAC audioObjectType (ISO 14496-3 1.5.1.1). */
const AAC_PROFILES: Readonly<Record<number, string>> = { 1: 'Main', 2: 'LC', 3: 'SSR', 4: 'LTP', 5: 'HE-AAC', 29: 'HE-AACv2', 23: 'LD', 39: 'ELD' };

export function codecName(fourcc: string): string {
  return CODEC_NAMES[fourcc] ?? fourcc;
}

export function describeTrack(t: TrackInfo): TrackDescription {
  return {
    codec: codecName(t.codec),
    profile: profileName(t.codec, t.profile),
    level: levelName(t.codec, t.level),
    width: t.width ?? null,
    height: t.height ?? null,
    sampleRate: t.sampleRate ?? null,
    channels: t.channels ?? null,
  };
}

/** A track known only by its FourCC (a codec without a configuration record, or one that failed to parse). */
export function bareTrack(fourcc: string): TrackDescription {
  return { codec: codecName(fourcc), profile: null, level: null, width: null, height: null, sampleRate: null, channels: null };
}

function profileName(codec: string, profile: number | undefined): string | null {
  if (profile === undefined) return null;
  const table = codec === 'avc1' ? H264_PROFILES : codec === 'hvc1' ? H265_PROFILES : codec === 'av01' ? AV1_PROFILES
    : codec === 'mp4a' ? AAC_PROFILES : undefined;
  if (codec === 'vp09') return `Profile ${profile}`;
  return table?.[profile] ?? String(profile);
}

function levelName(codec: string, level: number | undefined): string | null {
  if (level === undefined) return null;
  switch (codec) {
    case 'avc1': return level === 9 ? '1b' : (level / 10).toFixed(1); // level_idc 31 = 3.1
    case 'hvc1': return (level / 30).toFixed(1); // general_level_idc 93 = 3.1
    case 'av01': return `${2 + (level >> 2)}.${level & 3}`; // seq_level_idx 8 = 4.0 (AV1 spec A.3)
    case 'vp09': return (level / 10).toFixed(1);
    default: return String(level);
  }
}
