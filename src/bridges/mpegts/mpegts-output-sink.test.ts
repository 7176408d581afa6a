import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsDemuxer, PID_PAT, PID_PMT, PID_VIDEO, PID_AUDIO } from '../../formats/mpegts/index.js';
import { assertContinuity, readPackets } from '../../formats/mpegts/testing/ts-reader.js';
import { syntheticStream } from '../../formats/mpegts/testing/synthetic-stream.js';
import { ffprobeJson, hasFfmpeg, withTempDir } from '../../formats/fmp4/testing/ffmpeg-media.js';
import { packet } from '../../hub/testing/hub-fixtures.js';
import { createMpegTsOutputSink, type MpegTsOutputSink } from './mpegts-output-sink.js';
import { TABLE_INTERVAL_MS } from './limits.js';
import { avSource, ffmpegFile, newHub, PATH, pushInPieces, tsHub } from './testing/ts-hub.js';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';

/** A TS output subscribed to PATH, collecting what it writes; `pending` plays the SRT send buffer. */
function output(hub: ReturnType<typeof newHub>, waitForPublisher = true) {
  const chunks: Buffer[] = [];
  const state = { pending: 0, closes: [] as string[] };
  const sink: MpegTsOutputSink = createMpegTsOutputSink((b) => chunks.push(b), { pendingBytes: () => state.pending, onClose: (r) => state.closes.push(r) });
  const sub = hub.subscribe(PATH, { protocol: 'srt', remoteAddress: 'player' }, sink, { waitForPublisher });
  return { sink, sub, state, bytes: () => Buffer.concat(chunks) };
}

interface ProbeStream { codec_name: string; codec_type: string; nb_read_frames?: string; width?: number; channels?: number }

const CASES = [
  { name: 'H.264 + AAC', args: ['-c:v', 'libx264', '-bf', '2', '-c:a', 'aac'], codecs: ['aac', 'h264'] },
  { name: 'HEVC + AAC', args: ['-c:v', 'libx265', '-x265-params', 'log-level=error', '-c:a', 'aac'], codecs: ['aac', 'hevc'] },
  { name: 'H.264 + Opus', args: ['-c:v', 'libx264', '-c:a', 'libopus'], codecs: ['h264', 'opus'] },
  { name: 'H.264 + MP3', args: ['-c:v', 'libx264', '-c:a', 'libmp3lame', '-ar', '44100'], codecs: ['h264', 'mp3'] },
];

for (const c of CASES) {
  test(`round trip ffmpeg TS -> ingest -> hub -> TS output -> ffprobe, ${c.name}: codecs and every frame`, { skip }, () => {
    withTempDir((dir) => {
      const source = ffmpegFile(dir, 'in.ts', [...avSource(3), ...c.args, '-f', 'mpegts']);
      const counts = (file: string) => {
        const streams = ffprobeJson(file, ['-count_frames', '-show_streams']).streams as ProbeStream[];
        return Object.fromEntries(streams.map((s) => [s.codec_name, Number(s.nb_read_frames)]));
      };
      const want = counts(join(dir, 'in.ts'));
      const { hub, ingest } = tsHub();
      const out = output(hub);
      pushInPieces(ingest, source);
      ingest.close('end of file');
      const file = join(dir, 'out.ts');
      writeFileSync(file, out.bytes());
      const got = counts(file);
      assert.deepEqual(Object.keys(got).sort(), c.codecs);
      assert.deepEqual(got, want, 'every frame decodes');
      assert.equal(out.sink.stats.framesSkipped, 0);
      assertContinuity(readPackets(out.bytes()));
    });
  });
}

test('the output stream: tables before every keyframe and at least every TABLE_INTERVAL_MS, PCR on video, parameter sets on keyframes', () => {
  const s = syntheticStream({ videoFrames: 40, gop: 20 });
  const { hub, ingest } = tsHub();
  const out = output(hub);
  ingest.push(s.ts);
  ingest.close('done');
  const packets = readPackets(out.bytes());
  assertContinuity(packets);
  assert.ok(packets.filter((p) => p.pcr !== undefined).every((p) => p.pid === PID_VIDEO), 'PCR only on the video PID');
  let lastTables = -1;
  let videoPes = 0;
  packets.forEach((p, i) => {
    if (p.pid === PID_PAT) {
      assert.equal(packets[i + 1]!.pid, PID_PMT, 'PMT right after PAT');
      lastTables = i;
    }
    if (p.pid === PID_VIDEO && p.pusi && p.randomAccess) assert.equal(lastTables, i - 2, `tables right before the keyframe at packet ${i}`);
    if (p.pid === PID_VIDEO && p.pusi) videoPes++;
  });
  const tables = packets.filter((p) => p.pid === PID_PAT).length;
  assert.ok(tables >= Math.floor((40 * 40) / TABLE_INTERVAL_MS), `${tables} table repeats in 1.6 s`);
  assert.equal(videoPes, 40);
  // Read back with our demuxer: keyframes carry SPS/PPS in band, and every frame comes back byte-exact.
  const d = new TsDemuxer();
  const ev = [...d.push(out.bytes()), ...d.flush()];
  const frames = ev.filter((e) => e.type === 'frame');
  assert.equal(frames.filter((e) => e.type === 'frame' && e.track.kind === 'video').length, 40);
  assert.deepEqual(frames.map((e) => e.type === 'frame' && e.data.toString('hex')), s.frames.map((f) => f.data.toString('hex')));
  assert.deepEqual([d.stats.ccErrors, d.stats.errors], [0, 0]);
});

test('backpressure: over the budget the hub drops the output to the next keyframe (counted); the stream resumes there cleanly', () => {
  const budget = 20_000;
  const hub = newHub(budget);
  const { ingest } = tsHub(hub);
  const out = output(hub);
  const s = syntheticStream({ videoFrames: 30, gop: 10, audio: false });
  const cut = s.ts.indexOf(Buffer.from([0x47, 0x50, 0x00]), 188 * 30); // somewhere inside the first GOP
  ingest.push(s.ts.subarray(0, cut));
  const before = out.bytes().length;
  out.state.pending = budget + 1; // the SRT send buffer is full
  ingest.push(s.ts.subarray(cut, cut + 188 * 60));
  assert.equal(out.bytes().length, before, 'nothing written while over budget');
  assert.equal(out.sub.stats.dropEpisodes, 1);
  out.state.pending = 0;
  ingest.push(s.ts.subarray(cut + 188 * 60));
  ingest.close('done');
  const resumed = readPackets(out.bytes().subarray(before));
  assert.equal(resumed[0]!.pid, PID_PAT, 'resumes with the tables');
  assert.ok(resumed[2]!.pid === PID_VIDEO && resumed[2]!.randomAccess, 'then a keyframe');
  assertContinuity(readPackets(out.bytes()));
  const d = new TsDemuxer();
  const ev = [...d.push(out.bytes()), ...d.flush()];
  assert.equal(d.stats.ccErrors, 0, 'a receiver sees a continuous stream');
  assert.ok(ev.filter((e) => e.type === 'frame').length < 30 && out.sub.stats.packetsDropped > 0);
});

test('a track that appears after the start: the PMT changes (new version) at the next keyframe; continuity holds', () => {
  const hub = newHub();
  const publisher = hub.publish(PATH, { protocol: 'test', remoteAddress: 'x' });
  const out = output(hub);
  const vcfg = packet('video', 0, { role: 'config', keyframe: false, data: Buffer.from('0164000dffe100196764000dacd94141fb011000000300100000030320f142996001000668ebe3cb22c0fdf8f800', 'hex') });
  const frame = (dts: number, key: boolean) => packet('video', dts, { keyframe: key, data: Buffer.from(`00000003${key ? '65' : '41'}8899`, 'hex') });
  publisher.push(vcfg);
  for (let i = 0; i < 5; i++) publisher.push(frame(i * 40, i === 0));
  publisher.push(packet('audio', 150, { role: 'config', data: Buffer.from('1190', 'hex') }));
  publisher.push(packet('audio', 160, { data: Buffer.alloc(20, 1) })); // before the next keyframe: not in the PMT yet
  publisher.push(frame(200, true));
  publisher.push(packet('audio', 210, { data: Buffer.alloc(20, 2) }));
  assert.equal(out.sink.stats.reconfigurations, 1);
  assert.equal(out.sink.stats.framesSkipped, 1);
  const d = new TsDemuxer();
  const ev = d.push(out.bytes());
  const tracks = ev.filter((e) => e.type === 'tracks');
  assert.deepEqual(tracks.map((t) => t.type === 'tracks' && t.tracks.map((x) => x.pid)), [[PID_VIDEO], [PID_VIDEO, PID_AUDIO]]);
  assert.equal(d.stats.ccErrors, 0);
  assertContinuity(readPackets(out.bytes()));
});

test('codecs without an MPEG-TS form are skipped and counted; close and onClose are once; nothing after close', () => {
  const hub = newHub();
  const publisher = hub.publish(PATH, { protocol: 'test', remoteAddress: 'x' });
  const out = output(hub);
  publisher.push(packet('video', 0, { codec: 'av01', role: 'config', keyframe: false, data: Buffer.from('81000c00', 'hex') }));
  publisher.push(packet('video', 0, { codec: 'av01', keyframe: true }));
  assert.equal(out.sink.stats.framesSkipped, 1);
  assert.equal(out.bytes().length, 0);
  out.sub.close('player left');
  out.sub.close('again');
  assert.deepEqual(out.state.closes, ['player left']);
  out.sink.close();
  out.sink.close();
  out.sink.onPacket(packet('audio', 10), 10);
  assert.equal(out.bytes().length, 0);
});
