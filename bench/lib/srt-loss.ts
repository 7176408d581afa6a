import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/onair.js';
import { freeUdpPort, hubFrameCounter } from '../../support/srt-hub.js';
import { LossyUdpRelay } from '../../support/udp-relay.js';
import { sleep, startChild, stopChild } from './children.js';

const LOSS = 0.1;
const LATENCY_MS = 200;

/** ffmpeg sending a TS file once, in real time, over SRT (lingering so the tail is not dropped at close). */
async function sendOnce(file: string, url: string): Promise<void> {
  const ffmpeg = startChild('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', file, '-c', 'copy', '-f', 'mpegts',
    `${url}${url.includes('?') ? '&' : '?'}linger=3&latency=${LATENCY_MS * 1000}`]);
  await once(ffmpeg, 'exit');
}

/** Video and audio packets in a media file, as ffprobe counts them. */
function ffprobeFrameCounts(file: string): { video: number; audio: number } {
  const lines = execFileSync('ffprobe', ['-hide_banner', '-v', 'error', '-show_entries', 'packet=codec_type', '-of', 'csv=p=0', file], { encoding: 'utf8' }).split('\n');
  return { video: lines.filter((l) => l.startsWith('video')).length, audio: lines.filter((l) => l.startsWith('audio')).length };
}

/**
 * Frames delivered through 10 % loss each way (seeded relay), OnAir (frames its hub took in) against libsrt
 * (frames in what srt-live-transmit, a listener with the same latency, hands on to UDP), one line per seed.
 */
export async function measureLossRecovery(file: string, runs: number, work: string): Promise<string[]> {
  const source = ffprobeFrameCounts(file);
  const port = await freeUdpPort();
  const server = await startTestServer({ 'srt-port': port, 'srt-latency-ms': LATENCY_MS, 'log-level': 'warn' });
  const lines = [`source: ${source.video} video / ${source.audio} audio frames`];
  try {
    for (let seed = 1; seed <= runs; seed++) {
      // Loss ends 1 s before the clip does: a lost last packet is unrecoverable in live mode, for libsrt too.
      const relayA = new LossyUdpRelay({ target: { address: '127.0.0.1', port }, loss: LOSS, reorder: 0.01, seed, cleanStart: 4, lossForMs: 9000 });
      const path = `live/loss${seed}`;
      const counter = hubFrameCounter(server, path);
      await sendOnce(file, `srt://127.0.0.1:${await relayA.listen()}?streamid=#!::r=${path},m=publish`);
      // The last frame is handed on when the session ends (a lost shutdown: after the peer idle timeout).
      for (let t = 0; t < 100 && server.hub.stream(path)?.publisher; t++) await sleep(100);
      const onair = counter.ingested();
      const ended = server.logs.find((l) => l.includes('srt session ended') && l.includes(`"path":"${path}"`));
      const stats = ended ? (JSON.parse(ended) as { receive?: { lost: number; recovered: number; dropped: number } }).receive : undefined;
      counter.close();
      relayA.close();

      const sink = createSocket('udp4');
      const chunks: Buffer[] = [];
      sink.on('message', (m) => chunks.push(m));
      await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
      const sltPort = await freeUdpPort();
      const slt = startChild('srt-live-transmit', ['-q', `srt://:${sltPort}?mode=listener&latency=${LATENCY_MS}`, `udp://127.0.0.1:${sink.address().port}`]);
      await sleep(500);
      const relayB = new LossyUdpRelay({ target: { address: '127.0.0.1', port: sltPort }, loss: LOSS, reorder: 0.01, seed, cleanStart: 4, lossForMs: 9000 });
      await sendOnce(file, `srt://127.0.0.1:${await relayB.listen()}`);
      await sleep(1000);
      await stopChild(slt);
      relayB.close();
      sink.close();
      const out = join(work, `slt-loss-${seed}.ts`);
      writeFileSync(out, Buffer.concat(chunks));
      const libsrt = ffprobeFrameCounts(out);
      lines.push(`seed ${seed}: OnAir ${onair.video}/${onair.audio}${stats ? ` (lost ${stats.lost}, recovered ${stats.recovered}, dropped ${stats.dropped})` : ''}`
        + `  srt-live-transmit ${libsrt.video}/${libsrt.audio}  [relay dropped ${relayA.toServer.dropped}+${relayA.toCaller.dropped} / ${relayB.toServer.dropped}+${relayB.toCaller.dropped}]`);
    }
  } finally {
    await server.close();
  }
  return lines;
}
