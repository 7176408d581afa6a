import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOnAirError } from '../../core/errors.js';
import { checkRendition, checkStreamKey, checkTargetUrl, maskKey, withoutKey } from './target-input.js';

const refused = (fn: () => unknown, why: RegExp) => assert.throws(fn, (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED') && why.test((e as Error).message));

test('ingest URLs: rtmp and rtmps with a host and an app, normalised', () => {
  assert.equal(checkTargetUrl('rtmp://a.rtmp.youtube.com/live2'), 'rtmp://a.rtmp.youtube.com/live2');
  assert.equal(checkTargetUrl('rtmps://live-api-s.facebook.com:443/rtmp/'), 'rtmps://live-api-s.facebook.com:443/rtmp');
  assert.equal(checkTargetUrl('RTMP://Host.Example:1935/app/inst?x=1'), 'rtmp://host.example:1935/app/inst?x=1');
  assert.equal(checkTargetUrl('rtmp://[::1]:1935/live'), 'rtmp://[::1]:1935/live');
  assert.equal(checkTargetUrl('rtmp://10.0.0.5/live'), 'rtmp://10.0.0.5/live', 'private addresses are the operator\'s choice');
});

test('what is not an ingest URL is refused with the reason', () => {
  refused(() => checkTargetUrl('http://example.com/live'), /rtmp:\/\/ or rtmps:\/\//);
  refused(() => checkTargetUrl('srt://example.com:9000'), /rtmp/);
  refused(() => checkTargetUrl('not a url'), /absolute/);
  refused(() => checkTargetUrl('rtmp://example.com'), /application path/);
  refused(() => checkTargetUrl('rtmp://example.com/'), /application path/);
  refused(() => checkTargetUrl('rtmp://user:pass@example.com/live'), /credentials/);
  refused(() => checkTargetUrl('rtmp://example.com/live#x'), /fragment/);
  refused(() => checkTargetUrl(`rtmp://example.com/${'a'.repeat(2000)}`), /longer/);
});

test('stream keys: anything printable without spaces; rendition names', () => {
  assert.equal(checkStreamKey('FB-123?s_bl=1&a=Abc'), 'FB-123?s_bl=1&a=Abc');
  refused(() => checkStreamKey(''), /empty/);
  refused(() => checkStreamKey('abc\n'), /spaces or control/);
  refused(() => checkStreamKey('a b'), /spaces or control/);
  refused(() => checkStreamKey('k'.repeat(2000)), /longer/);
  assert.equal(checkRendition('source'), 'source');
  assert.equal(checkRendition('480p'), '480p');
  refused(() => checkRendition('../x'), /rendition/);
  refused(() => checkRendition('HD'), /rendition/);
});

test('masking shows nothing of short keys and the last 4 characters of long ones', () => {
  assert.equal(maskKey('abcd-efgh-ijkl-mnop'), '****mnop');
  assert.equal(maskKey('short-key'), '****');
  assert.equal(withoutKey('NetStream.Publish.BadName: key abc123 is not allowed; abc123', 'abc123'), 'NetStream.Publish.BadName: key [key] is not allowed; [key]');
});
