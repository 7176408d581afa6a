import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replayLoops, type ClipTags } from '../../bench/lib/clip-replay.js';
import type { FlvTag } from '../../src/formats/flv/index.js';
import { ChunkReader } from '../../src/protocols/rtmp/index.js';

const video = (timestamp: number, body: number[]): FlvTag => ({ typeId: 9, timestamp, body: Buffer.from(body) });
const audio = (timestamp: number, body: number[]): FlvTag => ({ typeId: 8, timestamp, body: Buffer.from(body) });

/**
 * A clip shaped like the reference one: sequence headers first, frames of varying sizes (some over a chunk), and the
 * audio running on after the last video frame (the reference clip's does, by ~60 ms).
 */
function clip(): ClipTags {
  const media: FlvTag[] = [video(0, [0x17, 0, 0, 0, 0, 1, 2]), audio(0, [0xaf, 0, 0x12, 0x10])];
  for (let i = 0; i < 30; i++) {
    media.push(video(i * 33, [i % 10 === 0 ? 0x17 : 0x27, 1, 0, 0, 0, ...Array.from({ length: 50 + 40 * (i % 7) }, (_, k) => (i + k) & 0xff)]));
    media.push(audio(i * 33 + 5, [0xaf, 1, ...Array.from({ length: 20 + (i % 3) }, () => i)]));
  }
  media.push(audio(29 * 33 + 26, [0xaf, 1, 9]), audio(29 * 33 + 47, [0xaf, 1, 9]));
  const loopMs = media.reduce((m, t) => Math.max(m, t.timestamp), 0) + 33;
  return { media, script: undefined, loopMs };
}

test('replayed loops: the first loop, then the steady bytes again and again parse as timestamps that never step back, configs once', () => {
  const c = clip();
  const { first, steady, steadyBytes } = replayLoops(c, 128, 1);
  const reader = new ChunkReader();
  const messages = [...reader.push(first)];
  for (let loop = 1; loop <= 3; loop++) messages.push(...reader.push(steadyBytes));
  const perLoop = c.media.length - 2;
  assert.equal(steady.length, perLoop);
  assert.equal(messages.length, c.media.length + 3 * perLoop);
  for (const type of [8, 9]) {
    const ts = messages.filter((m) => m.typeId === type).map((m) => m.timestamp);
    // Never back (a sequence header shares its first frame's timestamp).
    for (let i = 1; i < ts.length; i++) assert.ok(ts[i]! >= ts[i - 1]!, `type ${type}: timestamp ${ts[i]} after ${ts[i - 1]}`);
  }
  // Loop 3 is loop 0 moved by three loop lengths, payloads unchanged, the configurations left out.
  const last = messages.slice(-perLoop);
  const frames = c.media.slice(2);
  last.forEach((m, i) => {
    assert.equal(m.timestamp, frames[i]!.timestamp + 3 * c.loopMs);
    assert.deepEqual(m.payload, frames[i]!.body);
  });
});

test('replayed loops: a loop length that would step timestamps back is refused (the bytes would not repeat)', () => {
  const c = clip();
  // The last tag's timestamp + a frame, as a first version had it: shorter than the audio.
  assert.throws(() => replayLoops({ ...c, loopMs: 29 * 33 + 33 }, 128, 1), /does not repeat/);
});
