import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announcedUrls } from './announced-urls.js';

const ports = { rtmp: 1935, http: 8080 };

test('the start-up URLs use --public-url, else the --host the server binds, else localhost', () => {
  assert.deepEqual(announcedUrls({ publicUrl: '', host: '0.0.0.0' }, ports), { rtmp: 'rtmp://localhost:1935/live', http: 'http://localhost:8080' });
  assert.deepEqual(announcedUrls({ publicUrl: '', host: '192.0.2.10' }, ports), { rtmp: 'rtmp://192.0.2.10:1935/live', http: 'http://192.0.2.10:8080' });
  assert.deepEqual(announcedUrls({ publicUrl: '', host: '::1' }, { ...ports, rtmps: 1936 }),
    { rtmp: 'rtmp://[::1]:1935/live', rtmps: 'rtmps://[::1]:1936/live', http: 'http://[::1]:8080' });
  assert.deepEqual(announcedUrls({ publicUrl: 'https://live.example.com', host: '0.0.0.0' }, ports), { rtmp: 'rtmp://live.example.com:1935/live', http: 'https://live.example.com' });
});
