import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hlsResourceKind } from './hls-observer.js';

test('HLS URLs are labelled by what they name (a handful of kinds, never the URL)', () => {
  const cases: [string, string, string][] = [
    ['index.m3u8', '', 'master'],
    ['src/media.m3u8', '', 'playlist'],
    ['480p/ts.m3u8', '?token=x', 'playlist'],
    ['src/media.m3u8', '?_HLS_msn=12&_HLS_part=2', 'playlist_blocking'],
    ['src/part-ab12-12-3.m4s', '', 'part'],
    ['src/seg-ab12-12.m4s', '', 'segment'],
    ['src/seg-ab12-12.ts', '', 'segment'],
    ['src/init-ab12-0.mp4', '', 'init'],
    ['../../etc/passwd', '', 'other'],
  ];
  for (const [tail, query, kind] of cases) assert.equal(hlsResourceKind(tail, query), kind, tail + query);
});
