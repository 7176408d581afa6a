/**
 * Cross-checks against real encoders: files made by ffmpeg (libx264, libx265, SVT-AV1, libvpx, aac,
 * libmp3lame) into os.tmpdir(), parsed by FlvReader + tag bodies + codecs, compared with what ffprobe
 * reports for the same file. Skipped when ffmpeg/ffprobe are not installed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  adtsHeader, annexBToAvcc, buildAvcDecoderConfig, describeConfig, parseAudioSpecificConfig, parseH264Sps,
  type TrackInfo,
} from '../../codecs/index.js';
import type { MediaPacket } from '../../core/media-packet.js';
import { FlvReader, audioTagBody, parseAudioTagBody, parseVideoTagBody, videoTagBody } from './index.js';

function have(tool: string): boolean {
  try {
    execFileSync(tool, ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skip = !(have('ffmpeg') && have('ffprobe')) && 'ffmpeg/ffprobe not installed';
const dir = mkdtempSync(join(tmpdir(), 'onair-flv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function ffmpeg(out: string, args: string[]): string {
  const path = join(dir, out);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, path], { stdio: ['ignore', 'ignore', 'pipe'] });
  return path;
}

interface ProbeStream { codec_type: string; width?: number; height?: number; profile?: string; level?: number; sample_rate?: string; channels?: number }
function probe(path: string): ProbeStream[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,width,height,profile,level,sample_rate,channels', '-of', 'json', path]);
  return (JSON.parse(out.toString()) as { streams: ProbeStream[] }).streams;
}

/** Every packet of an FLV file; also asserts that each tag body re-serializes byte for byte. */
function flvPackets(path: string): MediaPacket[] {
  const { tags } = new FlvReader().push(readFileSync(path));
  const packets: MediaPacket[] = [];
  for (const t of tags) {
    if (t.typeId === 18) continue;
    for (const p of t.typeId === 9 ? parseVideoTagBody(t.body, t.timestamp) : parseAudioTagBody(t.body, t.timestamp)) {
      assert.deepEqual(p.kind === 'video' ? videoTagBody(p) : audioTagBody(p), t.body);
      packets.push(p);
    }
  }
  return packets;
}

const H264_PROFILES: Record<string, number> = { 'Constrained Baseline': 66, Baseline: 66, Main: 77, High: 100, 'High 4:4:4 Predictive': 244 };

const H264_CASES = [
  { name: '640x360 High 25 fps + AAC 44.1 kHz stereo', size: '640x360', rate: '25', fps: 25, v: ['-profile:v', 'high'], a: ['-c:a', 'aac', '-ar', '44100', '-ac', '2'] },
  { name: '1280x720 Main 30 fps + AAC 48 kHz mono', size: '1280x720', rate: '30', fps: 30, v: ['-profile:v', 'main'], a: ['-c:a', 'aac', '-ar', '48000', '-ac', '1'] },
  { name: '1918x1078 Baseline (cropping)', size: '1918x1078', rate: '30', fps: 30, v: ['-profile:v', 'baseline'], a: [] },
  { name: '720x576 interlaced High (frame_mbs_only 0)', size: '720x576', rate: '25', fps: 25, v: ['-profile:v', 'high', '-flags', '+ildct+ilme'], a: [] },
  { name: '854x480 4:4:4 23.976 fps + MP3 22.05 kHz mono', size: '854x480', rate: '24000/1001', fps: 23.976, v: ['-pix_fmt', 'yuv444p'], a: ['-c:a', 'libmp3lame', '-ar', '22050', '-ac', '1'] },
];

for (const c of H264_CASES) {
  test(`ffmpeg FLV ${c.name}: SPS/ASC match ffprobe, every tag round-trips`, { skip }, () => {
    const audioIn = c.a.length ? ['-f', 'lavfi', '-i', 'sine'] : [];
    const path = ffmpeg(`${c.size}.flv`, ['-f', 'lavfi', '-i', `testsrc2=size=${c.size}:rate=${c.rate}`, ...audioIn, '-t', '0.3',
      '-c:v', 'libx264', '-preset', 'ultrafast', ...c.v, ...c.a, '-f', 'flv']);
    const packets = flvPackets(path);
    const streams = probe(path);
    const pv = streams.find((s) => s.codec_type === 'video')!;
    const v = describeConfig(packets.find((p) => p.kind === 'video' && p.role === 'config')!);
    assert.deepEqual([v.width, v.height, v.profile, v.level, v.fps], [pv.width, pv.height, H264_PROFILES[pv.profile!], pv.level, c.fps]);
    const pa = streams.find((s) => s.codec_type === 'audio');
    if (pa) {
      const first = packets.find((p) => p.kind === 'audio' && p.role !== 'opaque')!;
      const a: TrackInfo = describeConfig(first);
      assert.deepEqual([a.sampleRate, a.channels], [Number(pa.sample_rate), pa.channels]);
    }
  });
}

test('ffmpeg raw H.264 (Annex-B): SPS/PPS found in-band rebuild the same avcC the FLV muxer stored', { skip }, () => {
  const input = ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '0.2', '-c:v', 'libx264', '-preset', 'ultrafast', '-threads', '1'];
  const raw = readFileSync(ffmpeg('raw.h264', [...input, '-f', 'h264']));
  const flv = ffmpeg('same.flv', [...input, '-f', 'flv']);
  const { sps, pps, avcc } = annexBToAvcc(raw);
  assert.ok(avcc.length > 0);
  const fromFlv = flvPackets(flv).find((p) => p.role === 'config')!;
  assert.deepEqual(buildAvcDecoderConfig(sps, pps), fromFlv.data);
  assert.deepEqual([parseH264Sps(sps[0]!).width, parseH264Sps(sps[0]!).height], [640, 360]);
});

test('ffmpeg ADTS: our header equals the one ffmpeg writes for the same frame length', { skip }, () => {
  const adts = readFileSync(ffmpeg('a.aac', ['-f', 'lavfi', '-i', 'sine=sample_rate=44100', '-t', '0.2', '-ac', '2', '-c:a', 'aac', '-f', 'adts']));
  const frameLength = ((adts[3]! & 3) << 11) | (adts[4]! << 3) | (adts[5]! >> 5);
  const config = parseAudioSpecificConfig(Buffer.from('1210', 'hex'));
  assert.deepEqual(adtsHeader(config, frameLength - 7), adts.subarray(0, 7));
});

/** Minimal ISO BMFF walk to the sample entry's config box (moov/trak/mdia/minf/stbl/stsd/<entry>/<box>). */
function sampleEntryBox(file: Buffer, entry: string, name: string): Buffer {
  const find = (buf: Buffer, type: string): Buffer => {
    for (let pos = 0; pos + 8 <= buf.length;) {
      const size = buf.readUInt32BE(pos);
      if (size < 8) break;
      if (buf.toString('latin1', pos + 4, pos + 8) === type) return buf.subarray(pos + 8, pos + size);
      pos += size;
    }
    throw new Error(`box ${type} not found`);
  };
  let b = file;
  for (const t of ['moov', 'trak', 'mdia', 'minf', 'stbl']) b = find(b, t);
  const stsd = find(b, 'stsd').subarray(8); // version/flags + entry_count
  return find(find(stsd, entry).subarray(78), name); // VisualSampleEntry fields are 78 bytes
}

const MP4_CASES = [
  { name: 'HEVC 1920x1080 Main (libx265)', args: ['-c:v', 'libx265', '-x265-params', 'log-level=none', '-tag:v', 'hvc1'], size: '1920x1080', entry: 'hvc1', box: 'hvcC', codec: 'hvc1', prefix: 'hvc1.1.6.L' },
  { name: 'HEVC 1918x1078 Main 10 (conformance window)', args: ['-c:v', 'libx265', '-x265-params', 'log-level=none', '-pix_fmt', 'yuv420p10le', '-tag:v', 'hvc1'], size: '1918x1078', entry: 'hvc1', box: 'hvcC', codec: 'hvc1', prefix: 'hvc1.2.4.L' },
  { name: 'AV1 640x360 (SVT-AV1)', args: ['-c:v', 'libsvtav1'], size: '640x360', entry: 'av01', box: 'av1C', codec: 'av01', prefix: 'av01.0.' },
  { name: 'VP9 640x360 (libvpx)', args: ['-c:v', 'libvpx-vp9'], size: '640x360', entry: 'vp09', box: 'vpcC', codec: 'vp09', prefix: 'vp09.00.' },
];

for (const c of MP4_CASES) {
  test(`ffmpeg MP4 ${c.name}: config parsed, size matches ffprobe`, { skip }, () => {
    const path = ffmpeg(`${c.codec}-${c.size}.mp4`, ['-f', 'lavfi', '-i', `testsrc2=size=${c.size}:rate=30`, '-t', '0.1', ...c.args]);
    let data = sampleEntryBox(readFileSync(path), c.entry, c.box);
    if (c.box === 'vpcC') data = data.subarray(4); // E-FLV carries the record without the FullBox header
    const info = describeConfig({ kind: 'video', codec: c.codec, role: 'config', dts: 0, cts: 0, keyframe: true, data });
    assert.ok(info.codecString?.startsWith(c.prefix), info.codecString);
    if (c.codec !== 'vp09') {
      const pv = probe(path)[0]!;
      assert.deepEqual([info.width, info.height], [pv.width, pv.height]);
    }
  });
}
