import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A free loopback port, for programs that cannot listen on port 0 and say which port they got (nginx, postgres, a
 * spawned OnAir). The port is picked below the kernel's ephemeral range: a port from listen(0) is ephemeral, and in the
 * seconds before the program binds it any outgoing connection or listen(0) of a parallel test could take it (CI once
 * lost a spawned node to that). Below the range only another freePort caller picks ports, at random among ~20000.
 */
export function freePort(): Promise<number> {
  return quietPort('tcp');
}

/**
 * The same for a UDP port (SRT's --srt-port, where 0 means off): a UDP port from bind(0) is ephemeral too, and any
 * UDP socket a parallel test binds to port 0 meanwhile (an SRT caller, ffmpeg's udp:// output, a relay) could take it
 * before the server binds it.
 */
export function freeUdpPort(): Promise<number> {
  return quietPort('udp');
}

/**
 * Runs `start` (which picks its ports with freePort/freeUdpPort and starts a program on them) again when it failed
 * because a port was taken: a picked port is free when picked, not reserved, and the program binds it seconds later.
 * Up to 3 starts; any other failure, or the last, is thrown.
 */
export async function retryIfPortTaken<T>(start: () => Promise<T>, portTaken: (err: Error) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !portTaken(err)) throw err;
    }
  }
}

async function quietPort(kind: 'tcp' | 'udp'): Promise<number> {
  const [low, high] = quietRange();
  for (let tries = 0; tries < 50; tries++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await bindable(kind, port)) return port;
  }
  return ephemeralPort(kind);
}

/** [low, high) of the ports freePort picks from: below the ephemeral range when that leaves room, else none (empty). */
function quietRange(): [number, number] {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
  } catch { /* not Linux: assume the usual range */ }
  const low = 10000;
  return ephemeralLow - low >= 2000 ? [low, ephemeralLow] : [0, 0];
}

function bindable(kind: 'tcp' | 'udp', port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    if (kind === 'udp') {
      const s = createSocket('udp4');
      s.once('error', () => s.close(() => resolve(false)));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
      return;
    }
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function ephemeralPort(kind: 'tcp' | 'udp'): Promise<number> {
  return new Promise((resolve, reject) => {
    if (kind === 'udp') {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
      return;
    }
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
