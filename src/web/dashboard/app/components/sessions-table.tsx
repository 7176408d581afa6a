import type { Session } from '../api/types.js';
import { formatBytes, formatDuration, formatTime } from '../lib/format.js';

/** Publish history, newest first. */
export function SessionsTable({ sessions }: { sessions: Session[] }) {
  if (sessions.length === 0) return <p class="muted">Nobody has published to this stream yet.</p>;
  return (
    <div class="table-wrap">
      <table aria-label="Sessions">
        <thead><tr><th>Started</th><th>Duration</th><th>From</th><th>Bytes in</th><th>Ended</th></tr></thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id}>
              <td data-label="Started">{formatTime(s.startedAt)}</td>
              <td data-label="Duration">{s.endedAt ? formatDuration(s.durationSec) : <span class="badge status-active">live</span>}</td>
              <td data-label="From">{s.protocol} {s.remoteAddress}</td>
              <td data-label="Bytes in">{formatBytes(s.bytesIn)}</td>
              <td data-label="Ended">{s.endedAt ? `${formatTime(s.endedAt)}${s.endReason ? ` (${s.endReason})` : ''}` : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
