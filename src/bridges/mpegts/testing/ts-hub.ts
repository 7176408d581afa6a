/**
 * Test-only: a hub with one MPEG-TS ingest and a recording subscriber that sees everything from the start,
 * and ffmpeg-made media as MPEG-TS (and, for comparisons, FLV) cut from one encode.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { StreamHub, type Publisher } from '../../../hub/index.js';
import { RecordingSink } from '../../../hub/testing/hub-fixtures.js';
import { createMpegTsIngest, type MpegTsIngest } from '../mpegts-ingest.js';

export const PATH = 'live/ts';
const info = { protocol: 'srt', remoteAddress: '127.0.0.1' };

export function newHub(budgetBytes = 1 << 26): StreamHub {
  return new StreamHub({ gop: { maxBytes: 1 << 26, maxMs: 60_000 }, subscriber: { budgetBytes, slowTimeoutMs: 60_000 }, takeover: 'takeover' }, pino({ level: 'silent' }));
}

/** A logger whose JSON lines are kept. */
export function capturedLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

export interface TsHub {
  hub: StreamHub;
  publisher: Publisher;
  ingest: MpegTsIngest;
  recorder: RecordingSink;
  lines: string[];
}

/** A hub whose `PATH` is published through an MPEG-TS ingest, recorded by a subscriber that joined first. */
export function tsHub(hub = newHub()): TsHub {
  const recorder = new RecordingSink();
  hub.subscribe(PATH, { protocol: 'test', remoteAddress: 'rec' }, recorder, { waitForPublisher: true });
  const publisher = hub.publish(PATH, info);
  const { log, lines } = capturedLogger();
  return { hub, publisher, ingest: createMpegTsIngest(publisher, log), recorder, lines };
}

/** Pushes `ts` in SRT-sized pieces (1316 bytes = 7 packets). */
export function pushInPieces(ingest: MpegTsIngest, ts: Buffer, piece = 1316): void {
  for (let at = 0; at < ts.length; at += piece) ingest.push(ts.subarray(at, at + piece));
}

/** Runs ffmpeg with lavfi sources into `dir/name`; returns the file's bytes. */
export function ffmpegFile(dir: string, name: string, args: readonly string[]): Buffer {
  const file = join(dir, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, file]);
  return readFileSync(file);
}

/** 320x240 25 fps test pattern and a 48 kHz stereo tone, for `seconds`; codec options follow. */
export function avSource(seconds: number): string[] {
  return [
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds), '-pix_fmt', 'yuv420p', '-g', '25', '-ac', '2',
  ];
}
