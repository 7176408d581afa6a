import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamUrls } from '../../../services/streams/stream-urls.js';
import type { StreamRecord, StreamStatus } from '../../../services/streams/stream-types.js';
import { streamListItemView, streamView } from './views.js';

const urls = new StreamUrls({ publicUrl: '', hls: true, ports: () => ({ rtmp: 1935, rtmps: null, http: 8080, srt: null }) });
const record = (status: StreamStatus): StreamRecord => ({
  id: 'st_1', name: 'n', streamKey: 'sk_1', playbackId: 'pb1', status,
  settings: { latencyMode: 'low', reconnectWindowSec: 60, ladder: 'passthrough', record: false, playbackPolicy: 'public', passthrough: null },
  createdAt: new Date(0), updatedAt: new Date(0),
});

test('stream status: an idle row whose publisher is live here while writes are queued shows active (the row lags); disabled and unknown stay as stored', () => {
  const asked: string[] = [];
  const liveHere = (path: string): boolean => {
    asked.push(path);
    return true;
  };
  assert.equal(streamView(record('idle'), urls, 'h', undefined, liveHere).status, 'active');
  assert.deepEqual(asked, ['live/pb1']);
  assert.equal(streamListItemView(record('idle'), urls, 'h', undefined, liveHere).status, 'active');
  assert.equal(streamView(record('disabled'), urls, 'h', undefined, liveHere).status, 'disabled', 'disabled wins over the live state');
  assert.equal(streamView(record('idle'), urls, 'h', undefined, () => false).status, 'idle');
  assert.equal(streamView(record('idle'), urls, 'h').status, 'idle');
});
