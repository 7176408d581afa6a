import type { TranscodeStatus } from '../api/types.js';
import { formatKbps } from '../lib/format.js';

/** The ABR transcode of the live session: its state, why it is degraded, and each rendition. */
export function Renditions({ transcode, live }: { transcode: TranscodeStatus | undefined; live: boolean }) {
  if (!transcode) return <p class="muted">{live ? 'No transcode status for this session.' : 'Shown while the stream is live.'}</p>;
  const t = transcode;
  return (
    <div>
      <p>
        <span class={`badge transcode-${t.state}`}>{t.state}</span> ladder <strong>{t.ladder}</strong>
        {t.speed != null && <> · speed {t.speed.toFixed(2)}×</>}
        {t.restarts > 0 && <> · {t.restarts} restarts</>}
      </p>
      {t.reason && <p class="warn-note">{t.reason}{t.detail ? `: ${t.detail}` : ''}</p>}
      {t.droppedRungs.length > 0 && <p class="muted">Left out: {t.droppedRungs.join(', ')}</p>}
      <div class="table-wrap">
        <table aria-label="Renditions">
          <thead><tr><th>Name</th><th>Size</th><th>fps</th><th>Video</th><th>Audio</th></tr></thead>
          <tbody>
            {t.renditions.map((r) => (
              <tr key={r.path}>
                <td data-label="Name">{r.name}{r.source ? ' (source)' : ''}</td>
                <td data-label="Size">{r.width}×{r.height}</td>
                <td data-label="fps">{r.fps ? r.fps.toFixed(r.fps % 1 ? 2 : 0) : '–'}</td>
                <td data-label="Video">{r.videoBitrate ? formatKbps(r.videoBitrate / 1000) : '–'}</td>
                <td data-label="Audio">{r.audioBitrate ? formatKbps(r.audioBitrate / 1000) : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
