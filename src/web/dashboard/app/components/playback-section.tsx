import { useState } from 'preact/hooks';
import type { PlaybackToken, Stream } from '../api/types.js';
import { playbackLinks } from '../lib/publish-info.js';
import { formatTime } from '../lib/format.js';
import { useAction, useApi } from '../hooks.js';
import { CopyField } from './copy-field.js';
import { ErrorNote } from './notes.js';

const TTL_CHOICES: [number, string][] = [[3600, '1 hour'], [86_400, '1 day'], [7 * 86_400, '7 days'], [30 * 86_400, '30 days']];

/** Playback URLs (players use the playback id, never the key) and, for signed streams, token minting. */
export function PlaybackSection({ stream }: { stream: Stream }) {
  const api = useApi();
  const [ttl, setTtl] = useState(86_400);
  const [minted, setMinted] = useState<PlaybackToken | null>(null);
  const mint = useAction(async () => {
    setMinted(await api.post<PlaybackToken>(`/streams/${encodeURIComponent(stream.id)}/playback-token`, { ttlSec: ttl }));
  });
  const signed = stream.settings.playbackPolicy === 'signed';
  const links = playbackLinks(stream, minted?.token, location.origin);
  return (
    <div>
      {signed && !minted && <p class="warn-note">Signed playback: these URLs need <code>?token=</code>; mint a token below.</p>}
      {links.hls !== undefined ? <CopyField label="HLS URL" value={links.hls} /> : <p class="muted">HLS is off on this server (--hls off).</p>}
      <CopyField label="HTTP-FLV URL" value={links.httpFlv} />
      <CopyField label="RTMP play URL" value={links.rtmp} />
      <CopyField label="Watch page" value={links.watch} />
      <p><a href={links.watch} target="_blank" rel="noopener noreferrer">Open the watch page</a></p>
      <div class="token-row">
        <label for="token-ttl">Playback token lifetime</label>
        <select id="token-ttl" value={String(ttl)} onChange={(e) => setTtl(Number((e.target as HTMLSelectElement).value))}>
          {TTL_CHOICES.map(([v, l]) => <option key={v} value={String(v)}>{l}</option>)}
        </select>
        <button type="button" disabled={mint.busy} onClick={() => void mint.run()}>Create playback token</button>
      </div>
      <ErrorNote error={mint.error} />
      {minted && (
        <>
          <CopyField label="Playback token" value={minted.token} hint={`Valid until ${formatTime(minted.expiresAt)}; the URLs above now carry it.`} />
        </>
      )}
    </div>
  );
}
