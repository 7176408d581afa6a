// Child of orphan.test.ts: starts a transcoding ffmpeg fed mid-stream, prints its pid, then waits to be SIGKILLed.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { FfmpegJob } from '../../src/services/transcode/ffmpeg-job.js';
import { buildFfmpegArgs, planLadder } from '../../src/services/transcode/index.js';

const [ffmpegPath, clipFile] = process.argv.slice(2) as [string, string];
const rungs = planLadder('default', { width: 1280, height: 720, fps: 30 });
const job = new FfmpegJob(ffmpegPath, buildFfmpegArgs({ sourceFps: 30, hasAudio: true, rungs, encoder: 'software' }), rungs.length,
  pino({ level: 'silent' }), { onProgress: () => {}, onExit: () => {} });
rungs.forEach((_, i) => job.output(i).resume());
const clip = readFileSync(clipFile);
job.stdin.write(clip.subarray(0, clip.length >> 1)); // half the clip: ffmpeg is mid-stream, waiting for more
process.stdout.write(`${job.pid}\n`);
setInterval(() => {}, 1000);
