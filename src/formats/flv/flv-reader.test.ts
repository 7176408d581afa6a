import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { OnAirError, isOnAirError } from '../../core/errors.js';
import type { MediaPacket } from '../../core/media-packet.js';
import {
  FlvReader, audioTagBody, flvFileHeader, flvTag, flvTagParts, parseAudioTagBody, parseVideoTagBody, videoTagBody,
  type FlvTag,
} from './index.js';

/** ffmpeg 5.1: testsrc2 176x144 10 fps libx264 + libmp3lame 22.05 kHz mono, 0.3 s (9.8 KB). */
const FIXTURE = readFileSync(new URL('./testdata/h264-mp3-176x144.flv', import.meta.url));

function readAll(chunks: Buffer[], opts?: ConstructorParameters<typeof FlvReader>[0]): { header: unknown; tags: FlvTag[] } {
  const r = new FlvReader(opts);
  let header: unknown;
  const tags: FlvTag[] = [];
  for (const c of chunks) {
    const out = r.push(c);
    if (out.header) header = out.header;
    tags.push(...out.tags);
  }
  assert.equal(r.buffered, 0);
  return { header, tags };
}

const whole = readAll([FIXTURE]);

test('FlvReader: the ffmpeg fixture as one chunk', () => {
  assert.deepEqual(whole.header, { version: 1, audio: true, video: true, dataOffset: 9 });
  assert.equal(whole.tags[0]!.typeId, 18); // onMetaData
  const video = whole.tags.filter((t) => t.typeId === 9);
  const audio = whole.tags.filter((t) => t.typeId === 8);
  // avcC, 3 frames (0.3 s at 10 fps), end of sequence; ffprobe counts the same 3 frames.
  assert.deepEqual(video.map((t) => parseVideoTagBody(t.body, t.timestamp)[0]!.role), ['config', 'frame', 'frame', 'frame', 'end']);
  assert.equal(parseAudioTagBody(audio[0]!.body, 0)[0]!.codec, '.mp3');
  assert.deepEqual(video.slice(1, 4).map((t) => t.timestamp), [50, 150, 250]); // ffprobe: dts 50, 150, 250
});

test('FlvReader: same tags for a split at every byte, and byte by byte', () => {
  for (let i = 0; i <= FIXTURE.length; i++) {
    const got = readAll([FIXTURE.subarray(0, i), FIXTURE.subarray(i)]);
    assert.deepEqual(got, whole, `split at ${i}`);
  }
  const bytes: Buffer[] = [];
  for (let i = 0; i < FIXTURE.length; i++) bytes.push(FIXTURE.subarray(i, i + 1));
  assert.deepEqual(readAll(bytes), whole);
});

test('real tag bodies: serialize(parse(body)) == body, and rewriting the file gives the same bytes', () => {
  const out: Buffer[] = [flvFileHeader({ audio: true, video: true })];
  for (const t of whole.tags) {
    if (t.typeId !== 18) {
      const [p] = t.typeId === 9 ? parseVideoTagBody(t.body, t.timestamp) : parseAudioTagBody(t.body, t.timestamp);
      assert.equal(p!.origin, undefined, 'ffmpeg writes the default forms');
      assert.deepEqual((t.typeId === 9 ? videoTagBody : audioTagBody)(p as MediaPacket), t.body);
    }
    out.push(flvTag(t.typeId, t.timestamp, t.body));
  }
  assert.deepEqual(Buffer.concat(out), FIXTURE);
});

test('flvTag: extended timestamp byte, wrap at 2^32, parts match the whole tag', () => {
  const body = Buffer.from('af01aa', 'hex');
  assert.equal(flvTag(8, 0x12345678, body).toString('hex'), '0800000334567812000000af01aa0000000e');
  assert.equal(flvTag(9, 2 ** 32 + 5, body).subarray(4, 8).toString('hex'), '00000500');
  const { header, trailer } = flvTagParts(8, 0x12345678, body.length);
  assert.deepEqual(Buffer.concat([header, body, trailer]), flvTag(8, 0x12345678, body));
  assert.equal(flvFileHeader({ audio: false, video: true }).toString('hex'), '464c5601010000000900000000');
  assert.throws(() => flvTagParts(9, 0, 0x1000000), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  assert.throws(() => flvTagParts(9, -1, 1), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  const r = readAll([flvFileHeader({ audio: true, video: false }), flvTag(8, 0xfedcba98, body)]);
  assert.equal(r.tags[0]!.timestamp, 0xfedcba98);
});

test('FlvReader: bad signature, lying PreviousTagSize, tag over the limit -> typed errors; then STATE', () => {
  const bad = Buffer.from(FIXTURE);
  bad[0] = 0x46 ^ 0xff;
  assert.throws(() => new FlvReader().push(bad), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));

  const lying = Buffer.from(FIXTURE);
  const firstTagSize = 11 + lying.readUIntBE(13 + 1, 3);
  lying.writeUInt32BE(firstTagSize + 1, 13 + firstTagSize);
  const strict = new FlvReader();
  assert.throws(() => strict.push(lying), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => strict.push(Buffer.alloc(1)), (e) => isOnAirError(e, 'ONAIR_ERR_STATE'));
  assert.deepEqual(readAll([lying], { strict: false }).tags, whole.tags);

  // A 16 MiB - 1 declared body with a 1 KiB cap: refused at the header, before any body byte is buffered.
  const huge = Buffer.concat([flvFileHeader({ audio: false, video: true }), Buffer.from('09ffffff00000000000000', 'hex')]);
  assert.throws(() => new FlvReader({ maxTagSize: 1024 }).push(huge), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  assert.deepEqual(new FlvReader().push(huge), { header: { version: 1, audio: false, video: true, dataOffset: 9 }, tags: [] });

  const dataOffset = Buffer.from(flvFileHeader({ audio: true, video: true }));
  dataOffset.writeUInt32BE(1 << 30, 5);
  assert.throws(() => new FlvReader().push(dataOffset), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
});

test('FlvReader: unknown and encrypted tag types: strict throws, tolerant skips', () => {
  const body = Buffer.from('af01aa', 'hex');
  const odd = Buffer.from(flvTag(8, 0, body));
  odd[0] = 15;
  const enc = Buffer.from(flvTag(8, 0, body));
  enc[0] = 0x28;
  const file = (t: Buffer): Buffer => Buffer.concat([flvFileHeader({ audio: true, video: false }), t, flvTag(8, 40, body)]);
  assert.throws(() => new FlvReader().push(file(odd)), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => new FlvReader().push(file(enc)), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'));
  for (const t of [odd, enc]) {
    const tags = readAll([file(t)], { strict: false }).tags;
    assert.deepEqual(tags.map((x) => x.timestamp), [40]);
  }
});

const tagArb = fc.record({
  typeId: fc.constantFrom(8 as const, 9 as const, 18 as const),
  timestamp: fc.nat({ max: 2 ** 32 - 1 }),
  body: fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)),
});

test('property: any tags written with flvTag read back the same for random splits', () => {
  fc.assert(fc.property(fc.array(tagArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (tags, cuts) => {
    const file = Buffer.concat([flvFileHeader({ audio: true, video: true }), ...tags.map((t) => flvTag(t.typeId, t.timestamp, t.body))]);
    const points = [...new Set(cuts.map((c) => c % (file.length + 1)))].sort((a, b) => a - b);
    const chunks = [0, ...points].map((p, i, all) => file.subarray(p, all[i + 1] ?? file.length));
    assert.deepEqual(readAll(chunks).tags, tags.map((t) => ({ ...t })));
  }), { numRuns: 500 });
});

test('property: any bytes after a valid header -> tags or OnAirError, never another throw', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, strict) => {
    const r = new FlvReader({ strict });
    try {
      r.push(flvFileHeader({ audio: true, video: true }));
      for (const t of r.push(Buffer.from(bytes)).tags) assert.ok(t.body.length <= bytes.length);
    } catch (e) {
      if (!(e instanceof OnAirError)) throw e;
    }
  }), { numRuns: 5000 });
});
