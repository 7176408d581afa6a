import { useMemo } from 'preact/hooks';
import type { StreamHealth } from '../api/health-types.js';
import { formatAgo, formatBytes, formatKbps } from '../lib/format.js';
import { chartColumns } from '../lib/health-series.js';
import { HealthBadge } from './badges.js';
import { ErrorNote } from './notes.js';
import { TimeChart } from './time-chart.js';
import type { HealthFeed } from './use-health-feed.js';

const n = (v: number | null | undefined, unit = '', digits = 0) => (v == null ? '–' : `${v.toFixed(digits)}${unit}`);
const secs = (ms: number | null | undefined) => (ms == null ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** Health state, reasons in the broadcaster's words, the figures of this second and the live charts. */
export function HealthPanel({ feed }: { feed: HealthFeed }) {
  const { health, samples } = feed;
  const columns = useMemo(() => chartColumns(samples), [samples]);
  return (
    <div class="health">
      <div class="health-head">
        {health ? <HealthBadge state={health.state} /> : <span class="muted">No health yet</span>}
        <span class="muted" data-testid="feed-status">live feed: {feed.status}</span>
        {health?.since && <span class="muted">since {formatAgo(health.since, Date.now())}</span>}
      </div>
      <ErrorNote error={feed.error} />
      {health && <Reasons health={health} />}
      {health && <Figures health={health} />}
      <div class="charts">
        <TimeChart title="Bitrate" unit="kb/s" data={columns.bitrate} lines={[{ label: 'video', colour: '#58a6ff' }, { label: 'audio', colour: '#d2a8ff' }]} />
        <TimeChart title="Frame rate" unit="fps" data={columns.fps} lines={[{ label: 'fps', colour: '#3fb950' }]} />
        <TimeChart title="Keyframe interval" unit="s" data={columns.keyframeInterval} lines={[{ label: 'interval', colour: '#f0883e' }]} />
      </div>
    </div>
  );
}

function Reasons({ health }: { health: StreamHealth }) {
  if (health.state === 'offline') return <p class="muted">The stream is not live.</p>;
  if (health.reasons.length === 0) return <p class="ok-note">No problems seen.</p>;
  return (
    <ul class="reasons" aria-label="Health reasons">
      {health.reasons.map((r) => (
        <li key={r.code} class={`reason ${r.severity}`}>
          <strong>{r.severity}</strong> <code>{r.code}</code>: {r.message}
        </li>
      ))}
    </ul>
  );
}

function Figures({ health }: { health: StreamHealth }) {
  const { video, audio, ingest, encoder, viewers } = health;
  const rows: [string, string][] = [];
  if (video) {
    rows.push(
      ['Video', [video.codec, video.profile, video.level, video.width && video.height ? `${video.width}×${video.height}` : null].filter(Boolean).join(' · ')],
      ['Video bitrate', formatKbps(video.bitrateKbps) + (video.metadataBitrateKbps ? ` (announced ${formatKbps(video.metadataBitrateKbps)})` : '')],
      ['Frame rate', n(video.fps, ' fps', 1) + (video.metadataFps ? ` (announced ${video.metadataFps})` : '')],
      ['Keyframe interval', `${secs(video.keyframeIntervalMs)} (max ${secs(video.keyframeIntervalMaxMs)})`],
    );
  }
  if (audio) {
    rows.push(['Audio', [audio.codec, audio.sampleRate ? `${audio.sampleRate} Hz` : null, audio.channels ? `${audio.channels} ch` : null, formatKbps(audio.bitrateKbps)].filter(Boolean).join(' · ')]);
  }
  if (encoder?.name) rows.push(['Encoder', encoder.name]);
  if (ingest) {
    rows.push(
      ['Ingest', `${ingest.protocol} from ${ingest.remoteAddress}`],
      ['Media rate', n(ingest.mediaRate, '×', 2)],
      ['Clock drift', n(ingest.driftMs, ' ms')],
      ['A/V offset', n(ingest.avOffsetMs, ' ms')],
      ['Late / out of order', `${ingest.lateFrames} / ${ingest.outOfOrderFrames}`],
      ['Gaps / stalls', `${ingest.gaps} / ${ingest.stalls}`],
      ['Dropped for slow viewers', String(ingest.droppedFrames)],
      ['Config changes', String(ingest.configChanges)],
      ['Bytes in / out', `${formatBytes(ingest.bytesIn)} / ${formatBytes(health.bytesOut)}`],
    );
  }
  rows.push(['Viewers', `${viewers.total} (RTMP ${viewers.rtmp}, HLS ${viewers.hls}, FLV ${viewers.flv})`]);
  return (
    <dl class="figures grid" aria-label="Health figures">
      {rows.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}
    </dl>
  );
}
