import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMasterPlaylist } from './parse-master.js';
import { parseMediaPlaylist } from './parse-media.js';
import { checkMediaPlaylist } from './check-media.js';
import { renderMasterPlaylist } from './render-master.js';
import { renderMediaPlaylist } from './render-media.js';
import type { MediaPlaylist, Variant } from './types.js';

const T0 = Date.parse('2026-11-26T12:00:00.000Z');
const lines = (...l: string[]): string => `${l.join('\n')}\n`;

/** One table drives render and parse: [name, data, text]. */
const GOLDEN: [string, MediaPlaylist, string][] = [
  [
    'standard live (MPEG-TS, discontinuity after a publisher reconnect)',
    {
      version: 3, targetDuration: 4, mediaSequence: 120, discontinuitySequence: 2, independentSegments: true,
      segments: [
        { uri: 'seg120.ts', duration: 4, programDateTime: T0 },
        { uri: 'seg121.ts', duration: 3.967 },
        { uri: 'seg122.ts', duration: 4.001, discontinuity: true, programDateTime: T0 + 10_000 },
      ],
    },
    lines(
      '#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:4', '#EXT-X-MEDIA-SEQUENCE:120', '#EXT-X-DISCONTINUITY-SEQUENCE:2',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-26T12:00:00.000Z', '#EXTINF:4.000,', 'seg120.ts',
      '#EXTINF:3.967,', 'seg121.ts',
      '#EXT-X-DISCONTINUITY', '#EXT-X-PROGRAM-DATE-TIME:2026-11-26T12:00:10.000Z', '#EXTINF:4.001,', 'seg122.ts',
    ),
  ],
  [
    'LL-HLS (fMP4, parts, a segment in progress, preload hint, rendition report)',
    {
      version: 9, targetDuration: 2, mediaSequence: 1, independentSegments: true, map: { uri: 'init.mp4' },
      serverControl: { canBlockReload: true, canSkipUntil: 12, holdBack: 6, partHoldBack: 1.5 }, partTarget: 0.5,
      segments: [
        {
          uri: 'seg1.m4s', duration: 2, programDateTime: T0,
          parts: [
            { uri: 'seg1.0.m4s', duration: 0.5, independent: true }, { uri: 'seg1.1.m4s', duration: 0.5 },
            { uri: 'seg1.2.m4s', duration: 0.5 }, { uri: 'seg1.3.m4s', duration: 0.5 },
          ],
        },
      ],
      partialSegment: { programDateTime: T0 + 2000, parts: [{ uri: 'seg2.0.m4s', duration: 0.48, independent: true }, { uri: 'seg2.1.m4s', duration: 0.5 }] },
      preloadHints: [{ type: 'PART', uri: 'seg2.2.m4s' }],
      renditionReports: [{ uri: '../audio/index.m3u8', lastMsn: 2, lastPart: 1 }],
    },
    lines(
      '#EXTM3U', '#EXT-X-VERSION:9', '#EXT-X-TARGETDURATION:2',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12,HOLD-BACK=6,PART-HOLD-BACK=1.5',
      '#EXT-X-PART-INF:PART-TARGET=0.5', '#EXT-X-MEDIA-SEQUENCE:1', '#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-MAP:URI="init.mp4"',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-26T12:00:00.000Z',
      '#EXT-X-PART:DURATION=0.5,URI="seg1.0.m4s",INDEPENDENT=YES', '#EXT-X-PART:DURATION=0.5,URI="seg1.1.m4s"',
      '#EXT-X-PART:DURATION=0.5,URI="seg1.2.m4s"', '#EXT-X-PART:DURATION=0.5,URI="seg1.3.m4s"',
      '#EXTINF:2.000,', 'seg1.m4s',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-26T12:00:02.000Z',
      '#EXT-X-PART:DURATION=0.48,URI="seg2.0.m4s",INDEPENDENT=YES', '#EXT-X-PART:DURATION=0.5,URI="seg2.1.m4s"',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg2.2.m4s"',
      '#EXT-X-RENDITION-REPORT:URI="../audio/index.m3u8",LAST-MSN=2,LAST-PART=1',
    ),
  ],
  [
    'delta update (_HLS_skip=YES): EXT-X-SKIP replaces the oldest segments',
    {
      version: 9, targetDuration: 2, mediaSequence: 10, map: { uri: 'init.mp4' },
      serverControl: { canBlockReload: true, canSkipUntil: 12, partHoldBack: 1 }, partTarget: 0.5, skippedSegments: 6,
      segments: [
        { uri: 'seg16.m4s', duration: 2 },
        { uri: 'seg17.m4s', duration: 1.5, parts: [{ uri: 'seg17.0.m4s', duration: 0.5, independent: true }, { uri: 'seg17.1.m4s', duration: 0.5 }, { uri: 'seg17.2.m4s', duration: 0.5 }] },
      ],
      preloadHints: [{ type: 'PART', uri: 'seg18.0.m4s' }],
    },
    lines(
      '#EXTM3U', '#EXT-X-VERSION:9', '#EXT-X-TARGETDURATION:2',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12,PART-HOLD-BACK=1',
      '#EXT-X-PART-INF:PART-TARGET=0.5', '#EXT-X-MEDIA-SEQUENCE:10', '#EXT-X-MAP:URI="init.mp4"', '#EXT-X-SKIP:SKIPPED-SEGMENTS=6',
      '#EXTINF:2.000,', 'seg16.m4s',
      '#EXT-X-PART:DURATION=0.5,URI="seg17.0.m4s",INDEPENDENT=YES', '#EXT-X-PART:DURATION=0.5,URI="seg17.1.m4s"',
      '#EXT-X-PART:DURATION=0.5,URI="seg17.2.m4s"', '#EXTINF:1.500,', 'seg17.m4s',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg18.0.m4s"',
    ),
  ],
  [
    'ended event playlist',
    { version: 3, targetDuration: 6, mediaSequence: 0, playlistType: 'EVENT', segments: [{ uri: 'a.ts', duration: 5.5, title: 'first, of all' }], endList: true },
    lines('#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:6', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:EVENT', '#EXTINF:5.500,first, of all', 'a.ts', '#EXT-X-ENDLIST'),
  ],
  [
    'recorded VOD: init and segments as byte ranges of one MP4, discontinuity after a reconnect',
    {
      version: 7, targetDuration: 5, mediaSequence: 0, playlistType: 'VOD', map: { uri: 'recording.mp4', byteRange: { length: 1133, offset: 0 } },
      segments: [
        { uri: 'recording.mp4', duration: 4, byteRange: { length: 40_000, offset: 1133 } },
        { uri: 'recording.mp4', duration: 4.52, byteRange: { length: 38_000, offset: 41_133 }, discontinuity: true },
      ],
      endList: true,
    },
    lines(
      '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:5', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MAP:URI="recording.mp4",BYTERANGE="1133@0"',
      '#EXTINF:4.000,', '#EXT-X-BYTERANGE:40000@1133', 'recording.mp4',
      '#EXT-X-DISCONTINUITY', '#EXTINF:4.520,', '#EXT-X-BYTERANGE:38000@41133', 'recording.mp4', '#EXT-X-ENDLIST',
    ),
  ],
];

for (const [name, data, text] of GOLDEN) {
  test(`golden render: ${name}`, () => assert.equal(renderMediaPlaylist(data), text));
  test(`golden parse: ${name}`, () => assert.deepEqual(parseMediaPlaylist(text), data));
  test(`golden is clean for the checker: ${name}`, () => assert.deepEqual(checkMediaPlaylist(data), []));
}

test('parser tolerates CRLF, comments, blank lines and unknown tags', () => {
  const text = GOLDEN[0]![2].replace(/\n/g, '\r\n').replace('#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-INDEPENDENT-SEGMENTS\r\n# a comment\r\n\r\n#EXT-X-FUTURE-TAG:X=1');
  assert.deepEqual(parseMediaPlaylist(text), GOLDEN[0]![1]);
});

const VARIANTS: Variant[] = [
  { uri: '720p/index.m3u8', bandwidth: 3_000_000, averageBandwidth: 2_500_000, resolution: { width: 1280, height: 720 }, codecs: 'avc1.64001f,mp4a.40.2', frameRate: 29.97 },
  { uri: 'audio/index.m3u8', bandwidth: 128_000, codecs: 'mp4a.40.2' },
];
const MASTER = lines(
  '#EXTM3U', '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970',
  '720p/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS="mp4a.40.2"', 'audio/index.m3u8',
);

test('master playlist golden render and parse', () => {
  assert.equal(renderMasterPlaylist(VARIANTS), MASTER);
  assert.deepEqual(parseMasterPlaylist(MASTER), { independentSegments: true, variants: VARIANTS });
  assert.equal(renderMasterPlaylist(VARIANTS, { independentSegments: false, version: 3 }).split('\n').slice(0, 2).join('|'), '#EXTM3U|#EXT-X-VERSION:3');
});

test('EXT-X-BYTERANGE without an offset follows the previous sub-range of the same URI (RFC 8216 §4.3.2.2)', () => {
  const p = parseMediaPlaylist(lines('#EXTM3U', '#EXT-X-VERSION:4', '#EXT-X-TARGETDURATION:4',
    '#EXTINF:4,', '#EXT-X-BYTERANGE:100@10', 'a.mp4', '#EXTINF:4,', '#EXT-X-BYTERANGE:50', 'a.mp4'));
  assert.deepEqual(p.segments.map((s) => s.byteRange), [{ length: 100, offset: 10 }, { length: 50, offset: 110 }]);
  assert.throws(() => parseMediaPlaylist(lines('#EXTM3U', '#EXT-X-TARGETDURATION:4', '#EXTINF:4,', '#EXT-X-BYTERANGE:50', 'a.mp4')), /without offset/);
  assert.throws(() => parseMediaPlaylist(lines('#EXTM3U', '#EXT-X-TARGETDURATION:4', '#EXTINF:4,', '#EXT-X-BYTERANGE:5@0', 'a.mp4',
    '#EXTINF:4,', '#EXT-X-BYTERANGE:50', 'b.mp4')), /same URI/);
  assert.throws(() => parseMediaPlaylist(lines('#EXTM3U', '#EXT-X-TARGETDURATION:4', '#EXT-X-MAP:URI="a.mp4",BYTERANGE="5"')), /offset/);
  assert.deepEqual(checkMediaPlaylist({ ...p, version: 3 }), ['VERSION_TOO_LOW: EXT-X-BYTERANGE needs 4, have 3']);
});
