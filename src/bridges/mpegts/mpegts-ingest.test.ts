import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAudioSpecificConfig } from '../../codecs/index.js';
import type { MediaPacket } from '../../core/media-packet.js';
import { FlvReader, parseAudioTagBody, parseVideoTagBody } from '../../formats/flv/index.js';
import { TIMESTAMP_WRAP, TsMuxer } from '../../formats/mpegts/index.js';
import { syntheticStream } from '../../formats/mpegts/testing/synthetic-stream.js';
import { hasFfmpeg, withTempDir } from '../../formats/fmp4/testing/ffmpeg-media.js';
import { avSource, ffmpegFile, PATH, pushInPieces, tsHub } from './testing/ts-hub.js';
import { START_HOLD_MAX_MS } from './limits.js';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';

/** What the RTMP ingest publishes for an FLV file (RtmpIngest parses each tag body the same way). */
function flvPackets(flv: Buffer): MediaPacket[] {
  return new FlvReader().push(flv).tags.flatMap((t) => (t.typeId === 9 ? parseVideoTagBody(t.body, t.timestamp) : t.typeId === 8 ? parseAudioTagBody(t.body, t.timestamp) : []));
}

test('the TS ingest publishes what the RTMP ingest publishes for the same encode (ffmpeg -c copy to FLV and to TS)', { skip }, () => {
  withTempDir((dir) => {
    ffmpegFile(dir, 'src.mp4', [...avSource(3), '-c:v', 'libx264', '-bf', '2', '-c:a', 'aac']);
    const src = `${dir}/src.mp4`;
    const flv = ffmpegFile(dir, 'same.flv', ['-i', src, '-c', 'copy', '-f', 'flv']);
    const ts = ffmpegFile(dir, 'same.ts', ['-i', src, '-c', 'copy', '-f', 'mpegts']);
    const rtmp = flvPackets(flv);
    const { ingest, recorder } = tsHub();
    pushInPieces(ingest, ts);
    ingest.close('end of file');
    const got = recorder.got.map((g) => g.p);
    for (const kind of ['video', 'audio'] as const) {
      const want = rtmp.filter((p) => p.kind === kind);
      const mine = got.filter((p) => p.kind === kind);
      const wantConfig = want.find((p) => p.role === 'config')!;
      const config = mine.find((p) => p.role === 'config')!;
      assert.equal(config.codec, wantConfig.codec);
      if (kind === 'video') assert.ok(config.data.equals(wantConfig.data), `avcC: ${config.data.toString('hex')} vs ${wantConfig.data.toString('hex')}`);
      else {
        // ffmpeg's extradata adds the "no SBR" sync extension (0x2B7, 56e500) that ADTS cannot carry; the config is the same.
        const core = (b: Buffer) => { const c = parseAudioSpecificConfig(b); return [c.objectType, c.sampleRate, c.channels]; };
        assert.deepEqual(core(config.data), core(wantConfig.data));
      }
      assert.ok(mine.indexOf(config) < mine.findIndex((p) => p.role === 'frame'), 'config before frames');
      const wf = want.filter((p) => p.role === 'frame');
      const mf = mine.filter((p) => p.role === 'frame');
      assert.equal(mf.length, wf.length, `${kind} frames`);
      mf.forEach((p, i) => {
        const w = wf[i]!;
        assert.ok(p.data.equals(w.data), `${kind} ${i}: same payload bytes`);
        assert.equal(p.keyframe, w.keyframe, `${kind} ${i} keyframe`);
        assert.equal(p.codec, w.codec);
        // Both sides round 90 kHz to ms; AAC frames (21.33 ms) may land a ms apart, video (40 ms) not.
        const tolerance = kind === 'audio' ? 1 : 0;
        assert.ok(Math.abs((p.dts - mf[0]!.dts) - (w.dts - wf[0]!.dts)) <= tolerance, `${kind} ${i} dts`);
        assert.equal(p.cts, w.cts, `${kind} ${i} cts`);
      });
    }
  });
});

test('configs of every track come before the first frame, though the first audio PES follows the first keyframe', () => {
  const s = syntheticStream({ videoFrames: 20, gop: 10 });
  const { ingest, recorder } = tsHub();
  ingest.push(s.ts);
  const roles = recorder.got.map((g) => `${g.p.kind}:${g.p.role}`);
  assert.equal(roles.indexOf('audio:config') < roles.indexOf('video:frame'), true, `order: ${roles.slice(0, 4).join(', ')}`);
  assert.equal(roles.indexOf('video:config') < roles.indexOf('video:frame'), true);
});

test('metadata: from the PMT at once (video announced before its keyframe), then sizes and rates from the configs', () => {
  const s = syntheticStream({ videoFrames: 10, gop: 5 });
  const { ingest, recorder } = tsHub();
  ingest.push(s.ts.subarray(0, 2 * 188)); // PAT + PMT only
  assert.deepEqual(recorder.metadata, [{ videocodecid: 7, audiocodecid: 10 }]);
  ingest.push(s.ts.subarray(2 * 188));
  assert.deepEqual(recorder.metadata.at(-1), {
    videocodecid: 7, width: 320, height: 240, framerate: 25, audiocodecid: 10, audiosamplerate: 48000, audiochannels: 2, stereo: true,
  });
});

test('a PMT track that never sends anything does not stall the stream: frames go out after START_HOLD_MAX_MS', () => {
  const m = new TsMuxer({ video: { streamType: 0x1b }, audio: { streamType: 0x0f } }); // PMT announces AAC...
  const s = syntheticStream({ videoFrames: 80, gop: 25, audio: false, muxer: m }); // ...that never comes
  const { ingest, recorder } = tsHub();
  ingest.push(s.ts);
  const video = recorder.got.filter((g) => g.p.role === 'frame');
  assert.ok(video.length > 0, 'released');
  assert.ok(video.length >= 80 - Math.ceil(START_HOLD_MAX_MS / 40) - 2 && video.length <= 80, `${video.length} frames out, the rest still arriving`);
  ingest.close('done');
  assert.equal(recorder.got.filter((g) => g.p.role === 'frame').length, 80, 'every frame published by close');
});

test('close publishes the frame still held, closes the publisher once; push after close is ignored', () => {
  const s = syntheticStream({ videoFrames: 6, gop: 3, audio: false });
  const { hub, ingest, recorder, publisher } = tsHub();
  const ends: string[] = [];
  hub.events.on('unpublish', (e) => ends.push(e.reason));
  ingest.push(s.ts);
  ingest.close('peer left');
  ingest.close('again');
  assert.deepEqual(ends, ['peer left']);
  assert.ok(publisher.isClosed);
  const n = recorder.got.length;
  ingest.push(s.ts);
  assert.equal(recorder.got.length, n);
  assert.equal(recorder.got.filter((g) => g.p.role === 'frame').length, 6);
  assert.equal(hub.stream(PATH)?.publisher, undefined);
});

test('hostile bytes: never a throw, the stream behind them still plays, and errors are logged a line at a time', () => {
  const s = syntheticStream({ videoFrames: 10, gop: 5 });
  const { ingest, recorder, lines } = tsHub();
  const junk = Buffer.alloc(188 * 200);
  for (let i = 0; i < junk.length; i += 188) {
    junk[i] = 0x47; // sync bytes, PIDs of the program, nonsense payload: errors on every packet
    junk.writeUInt16BE(0x4100, i + 1);
    junk[i + 3] = 0x10 | ((i / 188) & 15);
  }
  ingest.push(s.ts.subarray(0, 2 * 188));
  ingest.push(junk);
  ingest.push(Buffer.from('not a transport stream at all'.repeat(50)));
  ingest.push(s.ts);
  ingest.close('done');
  assert.ok(ingest.stats.droppedBytes > 0 && ingest.stats.resyncs > 0);
  assert.ok(recorder.got.filter((g) => g.p.role === 'frame' && g.p.kind === 'video').length >= 9, 'the good stream after the junk plays');
  const warnings = lines.filter((l) => l.includes('MPEG-TS ingest'));
  assert.ok(warnings.length >= 1 && warnings.length <= 3, `${warnings.length} warning lines`);
});

test('PTS/DTS crossing 2^33 reach the hub as steady ms timestamps (no jump, no wrap repair)', () => {
  const s = syntheticStream({ videoFrames: 50, gop: 25, start90k: TIMESTAMP_WRAP - 25 * 3600 });
  const { ingest, recorder, hub } = tsHub();
  ingest.push(s.ts);
  ingest.close('done');
  const video = recorder.got.filter((g) => g.p.kind === 'video' && g.p.role === 'frame').map((g) => g.p.dts);
  assert.equal(video.length, 50);
  for (let i = 1; i < video.length; i++) assert.equal(video[i]! - video[i - 1]!, 40, `step ${i}`);
  assert.deepEqual([hub.stream(PATH)?.stats.timestampJumps ?? 0, hub.stream(PATH)?.stats.timestampWraps ?? 0], [0, 0]);
});
