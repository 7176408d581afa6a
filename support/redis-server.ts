import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, retryIfPortTaken } from './free-port.js';

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL: its data is gone, as after a crash without persistence). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A throwaway redis-server (Debian's `redis-server`) on a free loopback port with its own temp dir and no
 * persistence; `stop()` ends it and deletes the dir. The test process exiting kills it too.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'onair-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  const launch = async () => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', join(dir, 'log')], { stdio: 'ignore' });
    child = c;
    running.add(c);
    c.once('exit', () => running.delete(c));
    await waitListening(port, c);
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  // Should another program bind the port first, redis-server exits at its start and starts again on another one (the
  // first start only: a restart keeps the port its clients know).
  await retryIfPortTaken(async () => {
    port = await freePort();
    await launch();
  }, (err) => /exited/.test(err.message));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitListening(port: number, child: ChildProcess): Promise<void> {
  // A bound, not an expectation (redis-server listens within milliseconds when idle; a loaded machine is another matter).
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited ${child.exitCode} (is the redis-server package installed?)`);
    // This redis-server's own answer (its process id), not just an open port: another program holding the port, even
    // another test's redis-server, would accept the connection too.
    const ok = await new Promise<boolean>((resolve) => {
      let got = '';
      const s = connect(port, '127.0.0.1', () => s.write('INFO server\r\n'));
      s.setTimeout(2000, () => s.destroy());
      s.on('data', (b: Buffer) => {
        got += b.toString();
        const pid = /process_id:(\d+)/.exec(got)?.[1];
        if (pid) {
          s.end();
          resolve(Number(pid) === child.pid);
        }
      });
      s.once('error', () => resolve(false));
      s.once('close', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start listening');
}
