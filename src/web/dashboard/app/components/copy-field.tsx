import { useId, useState } from 'preact/hooks';
import { copyText } from '../lib/clipboard.js';

export interface CopyFieldProps {
  label: string;
  value: string;
  /** What to show while the value is hidden; given = the field is secret and has a Reveal button. */
  masked?: string;
  /** Shared reveal state (the key and the ffmpeg command that contains it reveal together). */
  revealed?: boolean;
  onRevealChange?: (revealed: boolean) => void;
  multiline?: boolean;
  hint?: string;
}

/** A read-only value with Copy (and, for secrets, Reveal) buttons; Copy always copies the real value. */
export function CopyField(props: CopyFieldProps) {
  const id = useId();
  const [ownRevealed, setOwnRevealed] = useState(false);
  const [note, setNote] = useState('');
  const secret = props.masked !== undefined;
  const revealed = props.revealed ?? ownRevealed;
  const setRevealed = props.onRevealChange ?? setOwnRevealed;
  const shown = secret && !revealed ? props.masked! : props.value;

  const copy = async () => {
    try {
      await copyText(props.value);
      setNote(`${props.label} copied`);
    } catch {
      setNote('Copy failed: reveal the value, select it and copy it by hand');
    }
    setTimeout(() => setNote(''), 3000);
  };

  return (
    <div class="field copy-field">
      <label for={id}>{props.label}</label>
      <div class="copy-row">
        {props.multiline
          ? <textarea id={id} readOnly rows={4} value={shown} spellcheck={false} />
          : <input id={id} readOnly value={shown} spellcheck={false} autocomplete="off" />}
        <div class="copy-buttons">
          {secret && (
            <button type="button" aria-pressed={revealed} aria-label={`${revealed ? 'Hide' : 'Reveal'} ${props.label}`} onClick={() => setRevealed(!revealed)}>
              {revealed ? 'Hide' : 'Reveal'}
            </button>
          )}
          <button type="button" aria-label={`Copy ${props.label}`} onClick={copy}>Copy</button>
        </div>
      </div>
      {props.hint && <p class="hint">{props.hint}</p>}
      <p class="copy-note" role="status" aria-live="polite">{note}</p>
    </div>
  );
}
