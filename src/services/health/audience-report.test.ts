import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAudienceReport, encodeAudienceReport, type NodeAudienceReport } from './audience-report.js';
import { MAX_REPORTED_SESSIONS, MAX_REPORTED_STREAMS } from './limits.js';

const report: NodeAudienceReport = {
  from: 'node-b',
  shares: [
    { path: 'live/abc', sessions: [1, 2 ** 53 - 1], bytes: 1234, moreSessions: 3, players: { rtmp: 1, flv: 2, bytes: 99 } },
    { path: 'live/def', sessions: [], bytes: 0 },
  ],
};

test('a node\'s viewer report survives the wire as it was', () => {
  assert.deepEqual(decodeAudienceReport(encodeAudienceReport(report)), report);
});

test('every truncation of a report, and malformed ones, are refused whole', () => {
  const text = encodeAudienceReport(report);
  for (let i = 0; i < text.length; i++) assert.equal(decodeAudienceReport(text.slice(0, i)), undefined, `cut at ${i}`);
  const bad = (patch: (m: Record<string, unknown>) => void): string => {
    const m = JSON.parse(text) as Record<string, unknown>;
    patch(m);
    return JSON.stringify(m);
  };
  const share = (m: Record<string, unknown>): Record<string, unknown> => (m.shares as Record<string, unknown>[])[0]!;
  for (const [what, t] of [
    ['another version', bad((m) => (m.v = 2))],
    ['no sender', bad((m) => delete m.from)],
    ['shares not a list', bad((m) => (m.shares = {}))],
    ['a negative count', bad((m) => (share(m).bytes = -1))],
    ['a fractional session id', bad((m) => (share(m).sessions = [1.5]))],
    ['a session id past 2^53', bad((m) => (share(m).sessions = [2 ** 53]))],
    ['a string session id', bad((m) => (share(m).sessions = ['1']))],
    ['a path with a newline', bad((m) => (share(m).path = 'live/a\nb'))],
    ['an empty path', bad((m) => (share(m).path = ''))],
    ['players without flv', bad((m) => (share(m).players = { rtmp: 1, bytes: 1 }))],
    ['too many session ids', bad((m) => (share(m).sessions = Array.from({ length: MAX_REPORTED_SESSIONS + 1 }, (_, i) => i)))],
    ['too many streams', bad((m) => (m.shares = Array.from({ length: MAX_REPORTED_STREAMS + 1 }, () => ({ path: 'live/x', sessions: [], bytes: 0 }))))],
    ['not JSON', '{"v":1,'],
    ['null', 'null'],
    ['a list', '[]'],
  ] as const) assert.equal(decodeAudienceReport(t), undefined, what);
  assert.equal(decodeAudienceReport(text, text.length - 1), undefined, 'over the size bound');
});
