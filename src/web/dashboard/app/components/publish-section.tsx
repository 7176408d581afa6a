import { useState } from 'preact/hooks';
import type { Stream } from '../api/types.js';
import { ffmpegCommand } from '../lib/publish-info.js';
import { maskSecret } from '../lib/format.js';
import { useAction, useApi } from '../hooks.js';
import { CopyField } from './copy-field.js';
import { ErrorNote } from './notes.js';

/**
 * What a broadcaster types into OBS (Settings → Stream → Custom: Server + Stream Key) or runs with ffmpeg.
 * The key stays masked until revealed; Copy copies it either way. Reset key makes a new one (the old one
 * stops working and a live publisher on it is closed, docs/API.md).
 */
export function PublishSection({ stream, onChange }: { stream: Stream; onChange: (s: Stream) => void }) {
  const api = useApi();
  const [revealed, setRevealed] = useState(false);
  const reset = useAction(async () => {
    if (!window.confirm('Reset the stream key? The current key stops working and a live encoder using it is disconnected.')) return;
    onChange(await api.post<Stream>(`/streams/${encodeURIComponent(stream.id)}/reset-key`));
    setRevealed(false);
  });
  const key = stream.streamKey;
  return (
    <div class="publish">
      <CopyField label="Server" value={stream.ingest.rtmp} hint="OBS: Settings → Stream → Service: Custom…" />
      {stream.ingest.rtmps && <CopyField label="Server (RTMPS)" value={stream.ingest.rtmps} />}
      <CopyField label="Stream Key" value={key} masked={maskSecret(key)} revealed={revealed} onRevealChange={setRevealed} />
      <CopyField label="ffmpeg command" multiline value={ffmpegCommand(stream.ingest.rtmp, key)}
        masked={ffmpegCommand(stream.ingest.rtmp, maskSecret(key))} revealed={revealed} onRevealChange={setRevealed}
        hint="Publishes input.mp4 in a loop, with a keyframe every 2 s." />
      <ErrorNote error={reset.error} />
      <button type="button" class="danger" disabled={reset.busy} onClick={() => void reset.run()}>Reset stream key</button>
    </div>
  );
}
