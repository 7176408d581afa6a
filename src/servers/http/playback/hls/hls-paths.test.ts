import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHlsPath } from './hls-paths.js';

test('every HLS name parses to its resource; anything else is undefined (404)', () => {
  assert.deepEqual(parseHlsPath('index.m3u8'), { kind: 'master' });
  assert.deepEqual(parseHlsPath('src/media.m3u8'), { kind: 'media', rendition: 'src', format: 'fmp4' });
  assert.deepEqual(parseHlsPath('480p/ts.m3u8'), { kind: 'media', rendition: '480p', format: 'ts' });
  assert.deepEqual(parseHlsPath('src/init-ab12-0.mp4'), { kind: 'init', rendition: 'src', inst: 'ab12', initId: 0 });
  assert.deepEqual(parseHlsPath('hd_720/seg-ab12-12.m4s'), { kind: 'segment', rendition: 'hd_720', inst: 'ab12', msn: 12, format: 'fmp4' });
  assert.deepEqual(parseHlsPath('src/seg-ab12-7.ts'), { kind: 'segment', rendition: 'src', inst: 'ab12', msn: 7, format: 'ts' });
  assert.deepEqual(parseHlsPath('src/part-ab12-12-3.m4s'), { kind: 'part', rendition: 'src', inst: 'ab12', msn: 12, index: 3 });
  for (const bad of [
    '', 'media.m3u8', 'src/index.m3u8', 'src/media.m3u8x', 'src/sub/media.m3u8', '../src/media.m3u8', 'src/seg-ab12-01.m4s',
    'src/part-ab12-1.m4s', 'src/init-AB-1.mp4', 'src/seg-ab12-1.mp4', 'src/x.m4s', 'src/', 'src/tsx.m3u8', 'src/part-ab12-1-2.ts',
    '../../etc/passwd', 'src/seg-ab12-1.m4s/', 'src/init-ab12-1234567890123456.mp4',
  ]) assert.equal(parseHlsPath(bad), undefined, bad);
});
