import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBox } from '../../formats/fmp4/index.js';
import { parseMediaPlaylist, checkMediaPlaylist } from '../../formats/m3u8/index.js';
import { encodeTestMedia, hasFfmpeg } from '../../formats/fmp4/testing/ffmpeg-media.js';
import { configPackets, framePackets, ManualTimers } from '../../protocols/hls/testing/media-feed.js';
import { JOURNAL_FILE, MEDIA_FILE, openFile, recoverRecording, vodPlaylist } from './recording-files.js';
import type { FileIo } from './recording-file.js';
import { probeFormatDuration, probePackets, recorderRig } from './testing/recorder-harness.js';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';

test('one session: every frame recorded, timeline from 0, playable fMP4 with mehd and mfra, VOD playlist over byte ranges', { skip }, async () => {
  const media = encodeTestMedia(6, 25);
  const rig = recorderRig();
  try {
    rig.publish(media);
    const result = await rig.finished;
    assert.equal(result.reason, 'publisher_left');
    assert.equal(result.error, undefined);
    const file = join(rig.dir, MEDIA_FILE);
    assert.equal(statSync(file).size, result.bytes);
    const packets = probePackets(file);
    const video = packets.filter((p) => p.codec_type === 'video');
    const audio = packets.filter((p) => p.codec_type === 'audio');
    assert.equal(video.length, media.video.samples.length, 'every video frame');
    assert.ok(Math.abs(audio.length - media.audio.samples.length) <= 1, `audio ${audio.length} of ${media.audio.samples.length}`);
    assert.equal(Number(video[0]!.dts_time), 0, 'the recording starts at 0');
    assert.ok(Math.abs(Number(audio[0]!.pts_time) - Number(video[0]!.dts_time)) < 0.05, 'A/V start together');
    assert.ok(Math.abs(result.durationMs - 6000) <= 100, `duration ${result.durationMs}`);
    assert.ok(Math.abs(probeFormatDuration(file) - 6) < 0.2);
    const bytes = readFileSync(file);
    const mehd = findBox(bytes, ['moov', 'mvex', 'mehd'])!;
    assert.ok(Math.abs(Number(bytes.readBigUInt64BE(mehd.offset + 12)) - 6000) <= 100, 'mehd holds the movie duration');
    assert.equal(lastBoxType(bytes), 'mfra');

    const text = await vodPlaylist(rig.dir, 'recording.mp4');
    const pl = parseMediaPlaylist(text!);
    assert.deepEqual(checkMediaPlaylist(pl), []);
    assert.equal(pl.playlistType, 'VOD');
    assert.ok(pl.endList);
    assert.equal(pl.map?.byteRange?.offset, 0);
    let at = pl.map!.byteRange!.length;
    for (const s of pl.segments) {
      assert.equal(s.byteRange!.offset, at, 'segments are contiguous');
      assert.equal(bytes.toString('latin1', at + 4, at + 8), 'moof', 'each segment starts with a moof');
      at += s.byteRange!.length;
    }
    assert.equal(bytes.toString('latin1', at + 4, at + 8), 'mfra', 'the mfra follows the last segment');
    const total = pl.segments.reduce((n, s) => n + s.duration, 0);
    assert.ok(Math.abs(total * 1000 - result.durationMs) < 5, `playlist ${total} s vs ${result.durationMs} ms`);
    assert.ok(pl.segments.length >= 1 && pl.segments.every((s) => s.duration <= 4.5), 'segments of about 4 s, cut at keyframes');
  } finally {
    rig.cleanup();
  }
});

function lastBoxType(bytes: Buffer): string {
  let at = 0;
  let type = '';
  while (at + 8 <= bytes.length) {
    type = bytes.toString('latin1', at + 4, at + 8);
    at += bytes.readUInt32BE(at);
  }
  return type;
}

test('a publisher back within the reconnect window continues the recording after a discontinuity; timestamps never go back', { skip }, async () => {
  const media = encodeTestMedia(3, 25);
  const timers = new ManualTimers();
  const rig = recorderRig({ reconnectWindowMs: 60_000, timers });
  try {
    rig.publish(media);
    assert.equal(timers.pending.size, 1, 'reconnect window open');
    rig.publish(media);
    assert.equal(timers.pending.size, 1, 'the first window was cancelled, the second opened');
    timers.fire();
    const result = await rig.finished;
    assert.equal(result.reason, 'publisher_left');
    const file = join(rig.dir, MEDIA_FILE);
    const packets = probePackets(file);
    for (const kind of ['video', 'audio']) {
      const dts = packets.filter((p) => p.codec_type === kind).map((p) => Number(p.dts_time));
      assert.ok(dts.every((t, i) => i === 0 || t > dts[i - 1]!), `${kind} dts strictly increase across the reconnect`);
    }
    assert.equal(packets.filter((p) => p.codec_type === 'video').length, 2 * media.video.samples.length);
    assert.ok(Math.abs(result.durationMs - 6000) <= 150, `two 3 s sessions: ${result.durationMs} ms`);
    const pl = parseMediaPlaylist((await vodPlaylist(rig.dir, 'recording.mp4'))!);
    assert.equal(pl.segments.filter((s) => s.discontinuity).length, 1, 'one discontinuity, at the second session');
    assert.ok(pl.segments.findIndex((s) => s.discontinuity) > 0);
  } finally {
    rig.cleanup();
  }
});

test('other tracks after a reconnect end the recording (tracks_changed): one init segment per file', { skip }, async () => {
  const media = encodeTestMedia(2, 25);
  const rig = recorderRig({ reconnectWindowMs: 60_000, timers: new ManualTimers() });
  try {
    rig.publish(media);
    rig.publish(media, { kinds: ['video'] });
    const result = await rig.finished;
    assert.equal(result.reason, 'tracks_changed');
    assert.ok(result.durationMs >= 1900);
    assert.equal(probePackets(join(rig.dir, MEDIA_FILE)).filter((p) => p.codec_type === 'audio').length > 0, true);
  } finally {
    rig.cleanup();
  }
});

test('a stalled disk: the write queue stays under its cap, fragments are dropped to a segment start and the gap is recorded', { skip }, async () => {
  const media = encodeTestMedia(8, 25);
  const gate = new Gate();
  const cap = 64 * 1024;
  const rig = recorderRig({
    openFile: async (path, flags) => gatedIo(await openFile(path, flags), gate), maxQueueBytes: cap, segmentMs: 2000, fragmentMs: 500,
  });
  try {
    const pub = rig.hub.publish('live/rec', { protocol: 'test', remoteAddress: '127.0.0.1' });
    const frames = framePackets(media);
    for (const p of configPackets(media)) pub.push(p);
    let maxQueued = 0;
    const feed = (until: number): void => {
      while (frames.length > 0 && frames[0]!.dts < until) {
        pub.push(frames.shift()!);
        maxQueued = Math.max(maxQueued, rig.recorder.queuedBytes);
      }
    };
    feed(3000); // the disk is stalled: the queue fills to its cap, then fragments are dropped
    assert.ok(maxQueued <= cap + 40_000, `queued ${maxQueued} bytes, cap ${cap} plus one fragment`);
    gate.open();
    // Drained, the recording resumes at the next segment start; fed a quarter second at a time as a disk
    // that keeps up sees it.
    for (let t = 3250; frames.length > 0; t += 250) {
      await waitUntil(() => rig.recorder.queuedBytes < cap / 4);
      feed(t);
    }
    pub.close();
    const result = await rig.finished;
    assert.equal(result.gaps, 1);
    assert.ok(result.gapMs >= 500 && result.durationMs + result.gapMs >= 7800, `gap ${result.gapMs} ms, recorded ${result.durationMs} ms`);
    const pl = parseMediaPlaylist((await vodPlaylist(rig.dir, 'recording.mp4'))!);
    assert.equal(pl.segments.filter((s) => s.discontinuity).length, 1, 'the gap is a discontinuity');
    const video = probePackets(join(rig.dir, MEDIA_FILE)).filter((p) => p.codec_type === 'video');
    assert.ok(video.length < media.video.samples.length && video.length > 0);
  } finally {
    gate.open();
    rig.cleanup();
  }
});

test('a write error (disk full) ends the recording: write_failed, the file cut back to whole fragments and still playable', { skip }, async () => {
  const media = encodeTestMedia(4, 25);
  let budget = 150_000;
  const rig = recorderRig({
    openFile: async (path, flags) => {
      const io = await openFile(path, flags);
      if (!path.endsWith(MEDIA_FILE)) return io;
      return {
        ...bound(io),
        async writev(buffers: Buffer[], position: number) {
          // A real full disk writes what fits (a short write), then refuses the rest.
          if (budget === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          const all = Buffer.concat(buffers);
          const n = Math.min(all.length, budget);
          budget -= n;
          return io.writev([all.subarray(0, n)], position);
        },
      };
    },
  });
  try {
    rig.publish(media);
    const result = await rig.finished;
    assert.equal(result.reason, 'write_failed');
    assert.match(result.error ?? '', /ENOSPC/);
    const file = join(rig.dir, MEDIA_FILE);
    const bytes = readFileSync(file);
    assert.equal(bytes.length, result.bytes);
    assert.deepEqual(topLevelBoxes(bytes).at(-1), 'moof+mdat', 'ends on a whole fragment');
    assert.ok(probePackets(file).length > 0);
    assert.ok(result.durationMs > 0 && result.durationMs < 4000);
  } finally {
    rig.cleanup();
  }
});

test('crash recovery: a torn journal line and a half-written fragment are cut; the file is finished like a clean stop', { skip }, async () => {
  const media = encodeTestMedia(5, 25);
  const rig = recorderRig();
  try {
    rig.publish(media);
    await rig.finished;
    const file = join(rig.dir, MEDIA_FILE);
    const journalPath = join(rig.dir, JOURNAL_FILE);
    const lines = readFileSync(journalPath, 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.length >= 5);
    const keep = lines.slice(0, 4); // header + 3 fragments
    const next = JSON.parse(lines[4]!) as { o: number; n: number };
    writeFileSync(journalPath, `${keep.join('\n')}\n${lines[4]!.slice(0, 9)}`);
    truncateSync(file, next.o + Math.floor(next.n / 2)); // the 4th fragment half written, its line torn
    const last = JSON.parse(keep[3]!) as { o: number; n: number };
    const recovered = await recoverRecording(rig.dir);
    assert.ok(recovered);
    const bytes = readFileSync(file);
    assert.equal(bytes.length, recovered.bytes);
    assert.equal(bytes.toString('latin1', last.o + last.n + 4, last.o + last.n + 8), 'mfra', 'cut after the last journaled fragment, mfra appended');
    assert.ok(Math.abs(probeFormatDuration(file) - recovered.durationMs / 1000) < 0.1);
    const pl = parseMediaPlaylist((await vodPlaylist(rig.dir, 'recording.mp4'))!);
    assert.equal(pl.segments.reduce((n, s) => n + s.byteRange!.length, 0) + pl.map!.byteRange!.length, last.o + last.n);
  } finally {
    rig.cleanup();
  }
});

class Gate {
  private waiting: (() => void)[] = [];
  private isOpen = false;
  wait(): Promise<void> {
    return this.isOpen ? Promise.resolve() : new Promise((r) => this.waiting.push(r));
  }
  open(): void {
    this.isOpen = true;
    for (const w of this.waiting.splice(0)) w();
  }
}

function bound(io: FileIo): FileIo {
  return {
    writev: (b, p) => io.writev(b, p), write: (b, o, l, p) => io.write(b, o, l, p), truncate: (l) => io.truncate(l),
    datasync: () => io.datasync(), close: () => io.close(),
  };
}

function gatedIo(io: FileIo, gate: Gate): FileIo {
  return { ...bound(io), writev: async (b, p) => (await gate.wait(), io.writev(b, p)) };
}

async function waitUntil(fn: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !fn(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(fn(), 'condition reached');
}

/** Top-level boxes; a moof followed by its mdat is reported as one 'moof+mdat'. */
function topLevelBoxes(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at + 8 <= bytes.length;) {
    const size = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    assert.ok(at + size <= bytes.length, `box ${type} at ${at} is whole`);
    if (type === 'mdat' && out.at(-1) === 'moof') out[out.length - 1] = 'moof+mdat';
    else out.push(type);
    at += size;
  }
  return out;
}
