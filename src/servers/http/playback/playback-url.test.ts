import { test } from 'node:test';
import assert from 'node:assert/strict';
import { playbackIdOfFile, renditionNameOfFile } from './playback-url.js';

test('a source file name: <playbackId><extension>', () => {
  assert.equal(playbackIdOfFile('abc_1-2.flv', '.flv'), 'abc_1-2');
  for (const bad of ['abc.ts', '.flv', 'a/b.flv', 'a..flv', '%2e%2e.flv', 'ab c.flv']) assert.equal(playbackIdOfFile(bad, '.flv'), undefined, bad);
});

test('a rendition file name: <playbackId>/<rendition><extension>, the rendition as the ladder names it', () => {
  assert.equal(renditionNameOfFile('abc', '480p.flv', '.flv'), 'abc/480p');
  assert.equal(renditionNameOfFile('abc', 'hd_2-x.flv', '.flv'), 'abc/hd_2-x');
  const bad: [string, string][] = [['abc', '480P.flv'], ['abc', '-480p.flv'], ['abc', '.flv'], ['abc', '480p.ts'], ['a.b', '480p.flv'],
    ['abc', '..flv'], ['abc', `${'x'.repeat(33)}.flv`], ['', '480p.flv']];
  for (const [id, file] of bad) assert.equal(renditionNameOfFile(id, file, '.flv'), undefined, `${id}/${file}`);
});
