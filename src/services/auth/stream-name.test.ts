import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalizeName } from './stream-name.js';

describe('canonicalizeName', () => {
  it('every spelling of one stream resolves to one canonical path', () => {
    const spellings: [string, string, string?][] = [
      ['live', 'studio'], ['LIVE', 'Studio'], ['live/', 'studio'], ['/live', '/studio/'], ['live//', '//studio'],
      ['live', 'studio?exp=1'], ['live', 'stu%64io'], ['live', '%53TUDIO'], ['live/studio', ''], ['live%2Fstudio', ''],
      ['live?x=1', 'studio'],
    ];
    for (const [app, name, q] of spellings) {
      const c = canonicalizeName(app, name, q);
      assert.ok(c.ok, `${app} ${name}`);
      assert.equal(c.path, 'live/studio', `${app} ${name}`);
    }
  });

  it('splits the query off the name and the app', () => {
    const c = canonicalizeName('live?a=1', 'key?exp=5&sig=ab', '');
    assert.ok(c.ok);
    assert.equal(c.query, 'a=1&exp=5&sig=ab');
    const d = canonicalizeName('live', 'key', '?token=t');
    assert.ok(d.ok);
    assert.equal(d.query, 'token=t');
  });

  it('refuses names outside the whitelist', () => {
    const bad: [string, string][] = [
      ['live', '..'], ['live', '../etc'], ['live', 'a..b'], ['live', '.hidden'], ['live', 'trailing.'],
      ['live', 'a%2F..%2Fb'], ['live', 'nul\u0000'], ['live', 'nul%00'], ['live', 'sp ace'], ['live', 'back\\slash'],
      ['live', '%ZZ'], ['live', '%2541'], ['live', '\u212Aey'], ['live', 'ü'], ['live', 'x'.repeat(129)], ['', ''],
      ['/', '/'], ['a/b/c', 'd/e'], ['live', 'x'.repeat(2000)], ['live', 'semi;colon'], ['live', 'at@sign'],
    ];
    for (const [app, name] of bad) assert.equal(canonicalizeName(app, name).ok, false, JSON.stringify([app, name]));
  });

  it('allows inner dots, tildes, dashes and underscores', () => {
    const c = canonicalizeName('live', 'my.show~2_b-c');
    assert.ok(c.ok);
    assert.equal(c.path, 'live/my.show~2_b-c');
  });

  it('any input gives a whitelisted canonical path or a refusal; canonical paths are fixed points', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (app, name) => {
      const c = canonicalizeName(app, name);
      if (!c.ok) return;
      assert.match(c.path, /^[a-z0-9_~-][a-z0-9_.~-]*(\/[a-z0-9_~-][a-z0-9_.~-]*)*$/);
      assert.ok(!c.path.includes('..'));
      const again = canonicalizeName(c.path, '');
      assert.ok(again.ok);
      assert.equal(again.path, c.path);
    }), { numRuns: 2000 });
  });

  it('remembered answers equal fresh ones, and inputs that concatenate alike stay apart', () => {
    // Under a key of plain concatenation these pairs would share one; each must keep its own answer.
    const pairs: [string, string, string][][] = [
      [['live', 'ab', ''], ['live', 'a', 'b']],
      [['live', 'x', 'q=1'], ['live', 'xq=1', '']],
      [['liv', 'ex', ''], ['live', 'x', '']],
    ];
    for (const [a, b] of pairs) {
      const first = [canonicalizeName(...a!), canonicalizeName(...b!)];
      const again = [canonicalizeName(...a!), canonicalizeName(...b!)];
      assert.deepEqual(again, first);
      assert.notDeepEqual(first[0], first[1], `${a!.join('|')} vs ${b!.join('|')}`);
    }
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), (app, name, query) => {
      assert.deepEqual(canonicalizeName(app, name, query), canonicalizeName(app, name, query));
    }), { numRuns: 2000 });
  });
});
