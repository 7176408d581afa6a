import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort, freeUdpPort, retryIfPortTaken } from '../../support/free-port.js';

// Tests hand freePort's ports to programs that bind them seconds later (a spawned node, nginx, postgres). A port from
// listen(0) is ephemeral and can be taken meanwhile by any outgoing connection of a parallel test (CI lost a cluster
// node to that), so freePort picks below the ephemeral range. The same holds for UDP (SRT's port, bound by the server).
const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

async function quietPicks(pick: () => Promise<number>): Promise<number[]> {
  const ports = new Set<number>();
  for (let i = 0; i < 20; i++) {
    const port = await pick();
    assert.ok(port >= 10000 && port < ephemeralLow, `port ${port} is outside [10000, ${ephemeralLow})`);
    ports.add(port);
  }
  assert.ok(ports.size >= 15, `20 picks gave only ${ports.size} distinct ports`);
  return [...ports];
}

test('freePort: a bindable port below the kernel ephemeral range', async () => {
  const port = (await quietPicks(freePort))[0]!;
  const s = createServer();
  await new Promise<void>((resolve, reject) => s.once('error', reject).listen(port, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => s.close(() => resolve()));
});

test('freeUdpPort: a bindable UDP port below the kernel ephemeral range', async () => {
  const port = (await quietPicks(freeUdpPort))[0]!;
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => s.once('error', reject).bind(port, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => s.close(() => resolve()));
});

test('retryIfPortTaken: starts again while the port was taken, up to 3 starts; any other failure at once', async () => {
  const taken = (err: Error): boolean => err.message === 'taken';
  const starts = (failures: string[]) => {
    let n = 0;
    return { start: async () => (n < failures.length ? Promise.reject(new Error(failures[n++])) : `started after ${n}`), count: () => n };
  };
  assert.equal(await retryIfPortTaken(starts(['taken', 'taken']).start, taken), 'started after 2');
  const thrice = starts(['taken', 'taken', 'taken']);
  await assert.rejects(retryIfPortTaken(thrice.start, taken), /taken/);
  assert.equal(thrice.count(), 3);
  const other = starts(['config error']);
  await assert.rejects(retryIfPortTaken(other.start, taken), /config error/);
  assert.equal(other.count(), 1);
});
