import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sleep, type Proc } from './proc.js';
import { freePort, retryIfPortTaken } from '../../support/free-port.js';
import { NGINX_BIN, nginxArgs, writeNginxRtmpConfig } from '../../support/nginx-rtmp.js';

export { nginxRtmpAvailable } from '../../support/nginx-rtmp.js';
export { freePort } from '../../support/free-port.js';

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port }, () => (c.destroy(), resolve(true)));
    c.on('error', () => resolve(false));
  });
}

export interface TestNginx {
  readonly port: number;
  readonly dir: string;
  /** Where `record all` writes (one file per publish: record_unique). */
  readonly recordDir: string;
  readonly proc: Proc;
  /** rtmp://127.0.0.1:port/live */
  readonly url: string;
  /** Recorded FLV files, oldest first. */
  recordings(): string[];
  /** Stops it (SIGTERM, or the given signal) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory (after stop). */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

/**
 * nginx-rtmp on an ephemeral loopback port for a test: `application live { live on; record all; ... }`, so what
 * it received can be read back with ffprobe. `application` replaces the default body.
 */
export async function startTestNginx(opts: { application?: string } = {}): Promise<TestNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'onair-nginx-'));
  const recordDir = join(dir, 'rec');
  mkdirSync(recordDir, { recursive: true });
  const application = opts.application ?? `live on; record all; record_path ${recordDir}; record_unique on;`;
  let port = 0;
  let proc: Proc | undefined;
  const launch = async (): Promise<boolean> => {
    proc = run(NGINX_BIN, nginxArgs(dir), { timeoutMs: 600_000 });
    // A bound, not an expectation (nginx listens within milliseconds when idle; a loaded machine is another matter).
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (proc.child.exitCode !== null) return false; // port taken meanwhile: the caller picks another
      if (await portOpen(port)) return true;
      await sleep(50);
    }
    throw new Error(`nginx did not open port ${port}: ${proc.stderr()}`);
  };
  await retryIfPortTaken(async () => {
    port = await freePort();
    writeNginxRtmpConfig(dir, port, application);
    if (!(await launch())) throw new Error(`nginx exited at its start: ${proc?.stderr()}`);
  }, (err) => err.message.startsWith('nginx exited at its start'));
  const self: TestNginx = {
    port, dir, recordDir,
    get proc() {
      return proc!;
    },
    url: `rtmp://127.0.0.1:${port}/live`,
    recordings: () => readdirSync(recordDir).filter((f) => f.endsWith('.flv')).sort().map((f) => join(recordDir, f)),
    stop: async (signal = 'SIGTERM') => {
      await proc!.kill(signal);
    },
    restart: async () => {
      if (!(await launch())) throw new Error(`nginx did not restart on port ${port}: ${proc?.stderr()}`);
    },
    close: async () => {
      await proc!.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
