/** Display formatting shared by the pages; pure so it is unit-tested in Node. */

export function formatKbps(kbps: number | null | undefined): string {
  if (kbps == null || !Number.isFinite(kbps)) return '–';
  return kbps >= 10_000 ? `${(kbps / 1000).toFixed(1)} Mb/s` : `${Math.round(kbps)} kb/s`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** 3725 -> "1 h 2 min 5 s"; under a minute keeps one decimal below 10 s. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h} h` : '', m ? `${m} min` : '', rest || (!h && !m) ? `${rest} s` : ''].filter(Boolean).join(' ');
}

/** An ISO time as the browser's local date and time, or "–". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '–' : d.toLocaleString();
}

/** "12 s ago" style, for lists that refresh. */
export function formatAgo(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return '–';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '–';
  const s = Math.max(0, Math.round((nowMs - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** Masks a secret for display: keeps a short prefix so streams can be told apart. */
export function maskSecret(secret: string): string {
  if (secret.length <= 6) return '•'.repeat(secret.length);
  return `${secret.slice(0, 3)}${'•'.repeat(Math.min(24, secret.length - 3))}`;
}
