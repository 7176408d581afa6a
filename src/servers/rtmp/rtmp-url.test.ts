import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOnAirError } from '../../core/errors.js';
import { parseRtmpServerUrl, parseRtmpUrl, tlsServerName } from './rtmp-url.js';

test('a stream URL: the last segment is the name, as ffmpeg splits it', () => {
  assert.deepEqual(parseRtmpUrl('rtmp://h.example/live/key?x=1'), {
    secure: false, host: 'h.example', port: 1935, app: 'live', name: 'key?x=1', tcUrl: 'rtmp://h.example:1935/live',
  });
});

test('an ingest server URL: the whole path is the app; default ports 1935 and 443', () => {
  assert.deepEqual(parseRtmpServerUrl('rtmps://live-api-s.facebook.com/rtmp/'), {
    secure: true, host: 'live-api-s.facebook.com', port: 443, app: 'rtmp', name: '', tcUrl: 'rtmps://live-api-s.facebook.com:443/rtmp',
  });
  const wowza = parseRtmpServerUrl('rtmp://[::1]:1936/app/instance');
  assert.equal(wowza.host, '::1', 'an IPv6 literal without brackets for the socket');
  assert.equal(wowza.app, 'app/instance');
  assert.equal(wowza.tcUrl, 'rtmp://[::1]:1936/app/instance');
  assert.throws(() => parseRtmpServerUrl('https://x/live'), (e) => isOnAirError(e, 'ONAIR_ERR_CONFIG'));
  assert.throws(() => parseRtmpServerUrl('nope'), (e) => isOnAirError(e, 'ONAIR_ERR_CONFIG'));
});

test('SNI carries host names, never IP addresses', () => {
  assert.equal(tlsServerName('a.rtmps.youtube.com'), 'a.rtmps.youtube.com');
  assert.equal(tlsServerName('127.0.0.1'), undefined);
  assert.equal(tlsServerName('::1'), undefined);
});
