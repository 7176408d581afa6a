import type { Ladder, LadderRung, LatencyMode, PlaybackPolicy, Stream, StreamInput } from '../api/types.js';

/**
 * The create/edit stream form as strings (what inputs hold) and its conversion to the API body. The server
 * validates again; checking here gives the message next to the field instead of after a round trip.
 * Bounds mirror src/servers/http/api/schemas/stream-schemas.ts.
 */
export interface RungFields {
  name: string;
  height: string;
  videoBitrateKbps: string;
  audioBitrateKbps: string;
  fps: string;
}

export type LadderChoice = 'passthrough' | 'default' | 'custom';

export interface StreamFormFields {
  name: string;
  /** '' (new streams only): leave it to the server's --latency-mode. */
  latencyMode: LatencyMode | '';
  reconnectWindowSec: string;
  playbackPolicy: PlaybackPolicy;
  record: boolean;
  passthrough: string;
  ladderChoice: LadderChoice;
  rungs: RungFields[];
}

export const MAX_RUNGS = 8;
const RENDITION_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const EMPTY_RUNG: RungFields = { name: '', height: '720', videoBitrateKbps: '2500', audioBitrateKbps: '', fps: '' };

/** A new stream's form: empty fields leave the server's defaults (--latency-mode, --reconnect-window-sec). */
export function newStreamFields(): StreamFormFields {
  return {
    name: '', latencyMode: '', reconnectWindowSec: '', playbackPolicy: 'public', record: false, passthrough: '',
    ladderChoice: 'passthrough', rungs: [],
  };
}

export function fieldsOf(stream: Stream): StreamFormFields {
  const { settings } = stream;
  const ladder = settings.ladder;
  return {
    name: stream.name,
    latencyMode: settings.latencyMode,
    reconnectWindowSec: String(settings.reconnectWindowSec),
    playbackPolicy: settings.playbackPolicy,
    record: settings.record,
    passthrough: settings.passthrough ?? '',
    ladderChoice: typeof ladder === 'string' ? ladder : ladder.length === 0 ? 'passthrough' : 'custom',
    rungs: typeof ladder === 'string' ? [] : ladder.map(rungFieldsOf),
  };
}

function rungFieldsOf(r: LadderRung): RungFields {
  const opt = (n: number | undefined) => (n == null ? '' : String(n));
  return { name: r.name ?? '', height: String(r.height), videoBitrateKbps: String(r.videoBitrateKbps), audioBitrateKbps: opt(r.audioBitrateKbps), fps: opt(r.fps) };
}

export type FormResult = { ok: true; body: StreamInput } | { ok: false; errors: Record<string, string> };

/** Field name -> message, keyed like the inputs (`rungs.0.height`) so each message sits under its input. */
export function bodyOf(f: StreamFormFields, isNew: boolean): FormResult {
  const errors: Record<string, string> = {};
  const name = f.name.trim();
  if (name.length > 200) errors.name = 'At most 200 characters.';
  if (!isNew && !name) errors.name = 'A stream needs a name.';
  const settings: StreamInput['settings'] = { playbackPolicy: f.playbackPolicy, record: f.record };
  if (f.latencyMode !== '') settings.latencyMode = f.latencyMode;
  if (f.reconnectWindowSec.trim() !== '') {
    const v = intIn(f.reconnectWindowSec, 0, 3600);
    if (v === null) errors.reconnectWindowSec = 'Whole seconds from 0 to 3600.';
    else settings.reconnectWindowSec = v;
  }
  if (f.passthrough.length > 1024) errors.passthrough = 'At most 1024 characters.';
  else settings.passthrough = f.passthrough === '' ? null : f.passthrough;
  const ladder = ladderOf(f, errors);
  if (ladder !== null) settings.ladder = ladder;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, body: { ...(name ? { name } : {}), settings } };
}

function ladderOf(f: StreamFormFields, errors: Record<string, string>): Ladder | null {
  if (f.ladderChoice !== 'custom') return f.ladderChoice;
  if (f.rungs.length === 0) {
    errors.ladder = 'Add at least one rendition, or choose "Source only".';
    return null;
  }
  if (f.rungs.length > MAX_RUNGS) errors.ladder = `At most ${MAX_RUNGS} renditions.`;
  const rungs: LadderRung[] = [];
  const seen = new Set<string>();
  f.rungs.forEach((r, i) => {
    const at = (field: string) => `rungs.${i}.${field}`;
    const height = intIn(r.height, 144, 4320);
    const video = intIn(r.videoBitrateKbps, 100, 100_000);
    if (height === null) errors[at('height')] = 'Height in pixels, 144 to 4320.';
    if (video === null) errors[at('videoBitrateKbps')] = 'Video kb/s, 100 to 100000.';
    const rung: LadderRung = { height: height ?? 0, videoBitrateKbps: video ?? 0 };
    const name = r.name.trim();
    if (name) {
      if (!RENDITION_NAME.test(name)) errors[at('name')] = 'Lower-case letters, digits, - and _ (up to 32).';
      rung.name = name;
    }
    const effective = name || `${height}p`;
    if (seen.has(effective)) errors[at('name')] = `Two renditions are named "${effective}".`;
    seen.add(effective);
    if (r.audioBitrateKbps.trim()) {
      const audio = intIn(r.audioBitrateKbps, 32, 512);
      if (audio === null) errors[at('audioBitrateKbps')] = 'Audio kb/s, 32 to 512.';
      else rung.audioBitrateKbps = audio;
    }
    if (r.fps.trim()) {
      const fps = intIn(r.fps, 1, 120);
      if (fps === null) errors[at('fps')] = 'Frames per second, 1 to 120.';
      else rung.fps = fps;
    }
    rungs.push(rung);
  });
  return rungs;
}

function intIn(text: string, min: number, max: number): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const v = Number(text);
  return v >= min && v <= max ? v : null;
}
