import assert from 'node:assert/strict';
import { checkMediaPlaylist, parseMediaPlaylist, type MediaPlaylist } from '../../src/formats/m3u8/index.js';
import type { TestServer } from '../../support/onair.js';
import { sleep } from './proc.js';

/** Fetches a media playlist of stream `id` and parses it. */
export async function mediaPlaylist(server: TestServer, id: string, file = 'media.m3u8', query = ''): Promise<MediaPlaylist> {
  const res = await fetch(server.httpUrl(`/hls/${id}/src/${file}${query}`));
  assert.equal(res.status, 200, `${file}${query}: ${res.status}`);
  assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  return parseMediaPlaylist(await res.text());
}

/** Reloads `n` times `everyMs` apart, checking each playlist against the spec rules and the previous one. */
export async function checkReloads(server: TestServer, id: string, file: string, n: number, everyMs: number): Promise<MediaPlaylist[]> {
  const seen: MediaPlaylist[] = [];
  for (let i = 0; i < n; i++) {
    const p = await mediaPlaylist(server, id, file);
    assert.deepEqual(checkMediaPlaylist(p, seen[seen.length - 1]), [], `reload ${i} of ${file}`);
    seen.push(p);
    await sleep(everyMs);
  }
  return seen;
}
