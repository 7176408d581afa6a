import type { StreamMetadata } from '../../core/media-packet.js';
import type { IngestMeter } from './ingest-meter.js';
import { DRIFT_MIN_SPAN_MS, DRIFT_TICKS, MAX_ENCODER_SETTINGS, MAX_SETTING_TEXT, MEDIA_RATE_TICKS, STALE_TRACK_MS } from './limits.js';
import type { TrackMeter, TrackWindows } from './track-meter.js';
import type { TrackDescription } from './track-description.js';
import type { AudioFigures, EncoderFigures, EncoderSettingValue, VideoFigures } from './health-types.js';

export const kbps = (seconds: number, bytes: number): number | null => (seconds > 0 ? Math.round((bytes * 8) / seconds / 1000) : null);
export const fps = (seconds: number, frames: number): number | null => (seconds > 0 ? Math.round((frames / seconds) * 100) / 100 : null);

/** A track that delivered nothing lately (stalled) reports 0 for its last whole media second, not what it last had. */
export const stale = (t: TrackMeter, now: number): boolean => now - t.lastArrival > STALE_TRACK_MS;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);

/**
 * The video figures of one evaluation, from what it captured: `w` its windows (TrackMeter.measure), `quiet` the
 * track was stale, `keyInterval` the last keyframe interval (NaN: none yet). Built only when a report is read.
 */
export function videoFigures(d: TrackDescription | undefined, md: StreamMetadata | undefined, quiet: boolean, keyInterval: number, w: TrackWindows): VideoFigures {
  return {
    codec: d?.codec ?? null,
    profile: d?.profile ?? null,
    level: d?.level ?? null,
    width: d?.width ?? num(md?.width),
    height: d?.height ?? num(md?.height),
    bitrateKbps: kbps(w.oneSeconds, quiet ? 0 : w.oneBytes),
    fps: fps(w.oneSeconds, quiet ? 0 : w.oneFrames),
    keyframeIntervalMs: Number.isNaN(keyInterval) ? null : keyInterval,
    keyframeIntervalMaxMs: w.keyMax > 0 ? w.keyMax : null,
    metadataFps: md ? metadataFps(md) : null,
    metadataBitrateKbps: num(md?.videodatarate),
    windows: {
      '10s': { bitrateKbps: kbps(w.shortSeconds, w.shortBytes), fps: fps(w.shortSeconds, w.shortFrames) },
      '60s': { bitrateKbps: kbps(w.longSeconds, w.longBytes), fps: fps(w.longSeconds, w.longFrames) },
    },
  };
}

/** The audio figures of one evaluation, from what it captured (as videoFigures). */
export function audioFigures(d: TrackDescription | undefined, md: StreamMetadata | undefined, quiet: boolean, w: TrackWindows): AudioFigures {
  const stereo = typeof md?.stereo === 'boolean' ? (md.stereo ? 2 : 1) : null;
  return {
    codec: d?.codec ?? null,
    sampleRate: d?.sampleRate ?? num(md?.audiosamplerate),
    channels: d?.channels ?? stereo,
    bitrateKbps: kbps(w.oneSeconds, quiet ? 0 : w.oneBytes),
    windows: { '10s': { bitrateKbps: kbps(w.shortSeconds, w.shortBytes) }, '60s': { bitrateKbps: kbps(w.longSeconds, w.longBytes) } },
  };
}

/** onMetaData `framerate` (ffmpeg, OBS) or `videoframerate` (some hardware encoders). */
export function metadataFps(md: StreamMetadata): number | null {
  return num(md.framerate) ?? num(md.videoframerate);
}

/** The encoder's name and its scalar onMetaData settings; the peer chose every key and value, so both are capped. */
export function encoderFigures(md: StreamMetadata | undefined): EncoderFigures | null {
  if (!md) return null;
  const settings: Record<string, EncoderSettingValue> = {};
  let count = 0;
  for (const [key, value] of Object.entries(md)) {
    if (count >= MAX_ENCODER_SETTINGS) break;
    if (key === 'encoder' || key.length > MAX_SETTING_TEXT) continue;
    if (typeof value === 'number' && Number.isFinite(value)) settings[key] = value;
    else if (typeof value === 'boolean') settings[key] = value;
    else if (typeof value === 'string') settings[key] = value.slice(0, MAX_SETTING_TEXT);
    else continue;
    count++;
  }
  const name = typeof md.encoder === 'string' ? md.encoder.slice(0, MAX_SETTING_TEXT) : null;
  return { name, settings };
}

/** Media seconds per wall-clock second over about 10 s of arrivals. */
export function mediaRate(m: IngestMeter): number | null {
  const s = m.span(MEDIA_RATE_TICKS);
  return s && s.wallMs >= DRIFT_MIN_SPAN_MS ? Math.round((s.mediaMs / s.wallMs) * 1000) / 1000 : null;
}

/** Wall-clock minus media time over about 60 s of arrivals (positive: the encoder falls behind). */
export function driftMs(m: IngestMeter): number | null {
  const s = m.span(DRIFT_TICKS);
  return s && s.wallMs >= DRIFT_MIN_SPAN_MS ? Math.round(s.wallMs - s.mediaMs) : null;
}

export function avOffsetMs(m: IngestMeter): number | null {
  const v = m.video.alignment;
  const a = m.audio.alignment;
  return v === null || a === null ? null : Math.round(v - a);
}
