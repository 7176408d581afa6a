import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Stream } from '../api/types.js';
import { describeError } from '../api/api-error.js';
import { ErrorNote, Loading } from '../components/notes.js';
import { EMPTY_RUNG, MAX_RUNGS, bodyOf, fieldsOf, newStreamFields, type LadderChoice, type RungFields, type StreamFormFields } from '../lib/stream-form.js';
import { hrefOf } from '../lib/routes.js';
import { useApi } from '../hooks.js';

/** Create a stream (no id) or edit one: name, transcoding ladder, latency mode, reconnect window, playback policy, record. */
export function StreamFormPage({ id, navigate }: { id?: string; navigate: (hash: string) => void }) {
  const api = useApi();
  const isNew = id === undefined;
  const [fields, setFields] = useState<StreamFormFields | null>(isNew ? newStreamFields() : null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (isNew) return;
    api.get<Stream>(`/streams/${encodeURIComponent(id)}`).then((s) => setFields(fieldsOf(s)), (err) => setFailure(describeError(err)));
  }, [api, id, isNew]);

  if (!fields) return <main><ErrorNote error={failure} />{!failure && <Loading what="the stream" />}</main>;

  const set = <K extends keyof StreamFormFields>(k: K, v: StreamFormFields[K]) => setFields({ ...fields, [k]: v });
  const setRung = (i: number, k: keyof RungFields, v: string) => set('rungs', fields.rungs.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  const text = (e: Event) => (e.target as HTMLInputElement).value;

  const submit = async (e: Event) => {
    e.preventDefault();
    const result = bodyOf(fields, isNew);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setFailure(null);
    setBusy(true);
    try {
      const saved = isNew
        ? await api.post<Stream>('/streams', result.body)
        : await api.patch<Stream>(`/streams/${encodeURIComponent(id)}`, result.body);
      navigate(hrefOf({ page: 'stream', id: saved.id }));
    } catch (err) {
      setFailure(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main>
      <div class="page-head"><h1>{isNew ? 'New stream' : `Edit ${fields.name}`}</h1></div>
      <form class="card form" onSubmit={submit} noValidate aria-label={isNew ? 'New stream' : 'Edit stream'}>
        <Field id="name" label="Name" error={errors.name} hint={isNew ? 'Optional: a name is generated when empty.' : undefined}>
          <input id="name" value={fields.name} maxLength={200} onInput={(e) => set('name', text(e))} />
        </Field>

        <fieldset>
          <legend>Latency mode</legend>
          {isNew && <Radio name="latencyMode" value="" checked={fields.latencyMode === ''} onChange={() => set('latencyMode', '')} label="Server default (the server's --latency-mode)" />}
          <Radio name="latencyMode" value="lowest" checked={fields.latencyMode === 'lowest'} onChange={() => set('latencyMode', 'lowest')} label="Lowest latency (LL-HLS, shortest parts, ~1 s; about 1.5× the requests per viewer)" />
          <Radio name="latencyMode" value="low" checked={fields.latencyMode === 'low'} onChange={() => set('latencyMode', 'low')} label="Low latency (LL-HLS parts, ~1–2 s)" />
          <Radio name="latencyMode" value="standard" checked={fields.latencyMode === 'standard'} onChange={() => set('latencyMode', 'standard')} label="Standard HLS (~4 s segments, widest compatibility)" />
        </fieldset>

        <Field id="reconnect" label="Reconnect window (seconds)" error={errors.reconnectWindowSec} hint="How long viewers wait for a dropped encoder before the stream ends (0–3600). Empty: the server default.">
          <input id="reconnect" inputMode="numeric" value={fields.reconnectWindowSec} onInput={(e) => set('reconnectWindowSec', text(e))} />
        </Field>

        <Field id="policy" label="Playback policy">
          <select id="policy" value={fields.playbackPolicy} onChange={(e) => set('playbackPolicy', text(e) === 'signed' ? 'signed' : 'public')}>
            <option value="public">Public: anyone with the playback URL</option>
            <option value="signed">Signed: players need a playback token</option>
          </select>
        </Field>

        <div class="field checkbox">
          <input id="record" type="checkbox" checked={fields.record} onChange={(e) => set('record', (e.target as HTMLInputElement).checked)} />
          <label for="record">Record</label>
          <p class="hint">Each live session is recorded as an asset (MP4, also playable as HLS VOD; see the API's /assets). Applies from the next publish.</p>
        </div>

        <fieldset>
          <legend>Transcoding ladder</legend>
          {(['passthrough', 'default', 'custom'] as LadderChoice[]).map((c) => (
            <Radio key={c} name="ladder" value={c} checked={fields.ladderChoice === c} label={LADDER_LABELS[c]}
              onChange={() => setFields({ ...fields, ladderChoice: c, rungs: c === 'custom' && fields.rungs.length === 0 ? [{ ...EMPTY_RUNG }] : fields.rungs })} />
          ))}
          {errors.ladder && <p class="error" role="alert">{errors.ladder}</p>}
          {fields.ladderChoice === 'custom' && (
            <div class="rungs">
              {fields.rungs.map((r, i) => (
                <fieldset key={i} class="rung">
                  <legend>Rendition {i + 1}</legend>
                  <RungInput i={i} k="height" label="Height (px)" value={r.height} error={errors[`rungs.${i}.height`]} onInput={setRung} />
                  <RungInput i={i} k="videoBitrateKbps" label="Video kb/s" value={r.videoBitrateKbps} error={errors[`rungs.${i}.videoBitrateKbps`]} onInput={setRung} />
                  <RungInput i={i} k="audioBitrateKbps" label="Audio kb/s" value={r.audioBitrateKbps} error={errors[`rungs.${i}.audioBitrateKbps`]} onInput={setRung} />
                  <RungInput i={i} k="fps" label="Max fps" value={r.fps} error={errors[`rungs.${i}.fps`]} onInput={setRung} />
                  <RungInput i={i} k="name" label="Name" value={r.name} error={errors[`rungs.${i}.name`]} onInput={setRung} />
                  <button type="button" aria-label={`Remove rendition ${i + 1}`} onClick={() => set('rungs', fields.rungs.filter((_, j) => j !== i))}>Remove</button>
                </fieldset>
              ))}
              {fields.rungs.length < MAX_RUNGS && <button type="button" onClick={() => set('rungs', [...fields.rungs, { ...EMPTY_RUNG, height: '480', videoBitrateKbps: '1200' }])}>Add rendition</button>}
            </div>
          )}
        </fieldset>

        <Field id="passthrough" label="Passthrough data" error={errors.passthrough} hint="Your own data (e.g. your app's id), echoed in responses and webhooks.">
          <textarea id="passthrough" rows={2} value={fields.passthrough} onInput={(e) => set('passthrough', text(e))} />
        </Field>

        <ErrorNote error={failure} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>{isNew ? 'Create stream' : 'Save'}</button>
          <a class="button" href={isNew ? hrefOf({ page: 'streams' }) : hrefOf({ page: 'stream', id })}>Cancel</a>
        </div>
      </form>
    </main>
  );
}

const LADDER_LABELS: Record<LadderChoice, string> = {
  passthrough: 'Source only (no transcoding)',
  default: 'Default: source + 720p, 480p, 360p below it',
  custom: 'Custom renditions',
};

function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string | undefined; hint?: string | undefined; children: ComponentChildren }) {
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && <p class="hint">{hint}</p>}
      {error && <p class="error" role="alert" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

function Radio({ name, value, checked, onChange, label }: { name: string; value: string; checked: boolean; onChange: () => void; label: string }) {
  const id = `${name}-${value}`;
  return (
    <div class="radio">
      <input type="radio" id={id} name={name} value={value} checked={checked} onChange={onChange} />
      <label for={id}>{label}</label>
    </div>
  );
}

function RungInput({ i, k, label, value, error, onInput }: { i: number; k: keyof RungFields; label: string; value: string; error: string | undefined; onInput: (i: number, k: keyof RungFields, v: string) => void }) {
  const id = `rung-${i}-${k}`;
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input id={id} value={value} inputMode={k === 'name' ? 'text' : 'numeric'} onInput={(e) => onInput(i, k, (e.target as HTMLInputElement).value)} />
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}
