import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStreamId } from './stream-id.js';

test('the access-control forms, MediaMTX prefixes and a plain name', () => {
  assert.deepEqual(parseStreamId('#!::r=live/KEY,m=publish'), { ok: true, mode: 'publish', resource: 'live/KEY' });
  assert.deepEqual(parseStreamId('#!::m=request,r=live/pb'), { ok: true, mode: 'request', resource: 'live/pb' });
  assert.deepEqual(parseStreamId('#!::r=live/pb'), { ok: true, mode: 'request', resource: 'live/pb' }, 'm defaults to request');
  assert.deepEqual(parseStreamId('#!::u=alice,r=live/k,m=publish,t=stream,h=example.com,s=abc,user_x=1'),
    { ok: true, mode: 'publish', resource: 'live/k', user: 'alice' });
  assert.deepEqual(parseStreamId('#!::r=live/k?exp=1&sig=ab,m=publish'), { ok: true, mode: 'publish', resource: 'live/k?exp=1&sig=ab' });
  assert.deepEqual(parseStreamId('publish:live/k'), { ok: true, mode: 'publish', resource: 'live/k' });
  assert.deepEqual(parseStreamId('read:live/pb'), { ok: true, mode: 'request', resource: 'live/pb' });
  assert.deepEqual(parseStreamId('live/KEY'), { ok: true, mode: 'publish', resource: 'live/KEY' });
});

test('hostile and unsupported stream ids are refused with a reason', () => {
  const refused = (sid: string, unsupportedMode = false) => {
    const r = parseStreamId(sid);
    assert.equal(r.ok, false, sid);
    if (!r.ok) assert.equal(r.unsupportedMode ?? false, unsupportedMode, sid);
  };
  refused('');
  refused('#!::');
  refused('#!::r=');
  refused('#!::m=publish');
  refused('#!::r=a,r=b');
  refused('#!::r=live/k,=x');
  refused('#!::r=live/k,novalue');
  refused('#!:{r=live/k}');
  refused('#!x');
  refused('#!::r=live/k,m=bidirectional', true);
  refused('#!::r=live/k,t=file', true);
  refused(`#!::${Array.from({ length: 40 }, (_, i) => `k${i}=v`).join(',')}`);
  refused('x'.repeat(513));
  // Names that parse here are judged by auth's name canonicalisation (NUL, "..", encodings).
  assert.equal(parseStreamId('#!::r=../../etc/passwd,m=publish').ok, true);
});
