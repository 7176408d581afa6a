import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../test/support/onair.js';
import { ffprobeFrameCounts } from '../../test/support/clients.js';
import { run } from '../../test/support/proc.js';
import { freeUdpPort, hubFrameCounter } from '../../test/srt/support/srt-clients.js';
import { LossyUdpRelay } from '../../test/srt/support/udp-relay.js';
import { sleep } from './children.js';

const LOSS = 0.1;
const LATENCY_MS = 200;

/** ffmpeg sending a TS file once, in real time, over SRT (lingering so the tail is not dropped at close). */
function sendOnce(file: string, url: string): Promise<number | null> {
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', file, '-c', 'copy', '-f', 'mpegts',
    `${url}${url.includes('?') ? '&' : '?'}linger=3&latency=${LATENCY_MS * 1000}`], { timeoutMs: 120_000 }).exited;
}

/**
 * Frames delivered through 10 % loss each way (seeded relay), OnAir (frames its hub took in) against libsrt
 * (frames in what srt-live-transmit, a listener with the same latency, hands on to UDP), one line per seed.
 */
export async function measureLossRecovery(file: string, runs: number, work: string): Promise<string[]> {
  const source = await ffprobeFrameCounts(file);
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
      const slt = run('srt-live-transmit', ['-q', `srt://:${sltPort}?mode=listener&latency=${LATENCY_MS}`, `udp://127.0.0.1:${sink.address().port}`], { timeoutMs: 120_000 });
      await sleep(500);
      const relayB = new LossyUdpRelay({ target: { address: '127.0.0.1', port: sltPort }, loss: LOSS, reorder: 0.01, seed, cleanStart: 4, lossForMs: 9000 });
      await sendOnce(file, `srt://127.0.0.1:${await relayB.listen()}`);
      await sleep(1000);
      await slt.kill('SIGINT');
      relayB.close();
      sink.close();
      const out = join(work, `slt-loss-${seed}.ts`);
      writeFileSync(out, Buffer.concat(chunks));
      const libsrt = await ffprobeFrameCounts(out);
      lines.push(`seed ${seed}: OnAir ${onair.video}/${onair.audio}${stats ? ` (lost ${stats.lost}, recovered ${stats.recovered}, dropped ${stats.dropped})` : ''}`
        + `  srt-live-transmit ${libsrt.video}/${libsrt.audio}  [relay dropped ${relayA.toServer.dropped}+${relayA.toCaller.dropped} / ${relayB.toServer.dropped}+${relayB.toCaller.dropped}]`);
    }
  } finally {
    await server.close();
  }
  return lines;
}
