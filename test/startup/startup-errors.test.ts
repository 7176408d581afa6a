import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, waitFor } from '../support/proc.js';
import { startTestServer } from '../../support/onair.js';

/**
 * The server as a user starts it (from the sources, so the test needs no build). SRT is off unless a case asks
 * for it: its default UDP port is one for the whole machine, and test files run in parallel.
 */
const startMain = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/main.ts', '--host', '127.0.0.1', '--log-level', 'warn',
  ...(args.includes('--srt-port') ? [] : ['--srt-port', '0']), ...args], { timeoutMs: 240_000 });

async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, server };
}

const nonEmptyLines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');
const scratch = mkdtempSync(join(tmpdir(), 'onair-startup-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('start-up errors are one line naming what to change, before any database work', () => {
  for (const flag of ['--rtmp-port', '--http-port'] as const) {
    test(`${flag} in use`, async () => {
      const busy = await busyPort();
      const dataDir = join(scratch, `busy${flag}`);
      try {
        const other = flag === '--rtmp-port' ? '--http-port' : '--rtmp-port';
        const p = startMain([flag, String(busy.port), other, '0', '--data-dir', dataDir]);
        const code = await p.exited;
        assert.notEqual(code, 0);
        const lines = nonEmptyLines(p.stderr());
        assert.equal(lines.length, 1, `one line, got:\n${p.stderr()}`);
        assert.match(lines[0]!, new RegExp(`${busy.port}.*in use.*${flag}`));
        assert.doesNotMatch(p.stderr(), /\n\s+at /, 'no stack trace');
        assert.equal(existsSync(dataDir), false, 'nothing was created in the data dir');
      } finally {
        busy.server.close();
      }
    });
  }

  test('--srt-port in use (UDP)', async () => {
    const busy = createSocket('udp4');
    await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
    const dataDir = join(scratch, 'busy-srt');
    try {
      const p = startMain(['--srt-port', String(busy.address().port), '--rtmp-port', '0', '--http-port', '0', '--data-dir', dataDir]);
      assert.notEqual(await p.exited, 0);
      const lines = nonEmptyLines(p.stderr());
      assert.equal(lines.length, 1, `one line, got:\n${p.stderr()}`);
      assert.match(lines[0]!, new RegExp(`${busy.address().port}.*in use.*--srt-port`));
      assert.equal(existsSync(dataDir), false, 'nothing was created in the data dir');
    } finally {
      busy.close();
    }
  });

  test('an unknown flag, a bad value and a missing companion setting are one line each', async () => {
    const cases = [
      [['--rtmp-prot', '1'], /did you mean --rtmp-port/],
      [['--rtmp-port', 'x'], /rtmpPort from --rtmp-port/],
      [['--hls', 'maybe'], /bad value for --hls: "maybe" \(expected on\/off, true\/false, yes\/no or 1\/0/],
      [['--auth', 'callback', '--rtmp-port', '0', '--http-port', '0'], /--auth callback needs --auth-callback-url/],
    ] as const;
    for (const [args, re] of cases) {
      const dataDir = join(scratch, 'unused');
      const p = startMain([...args, '--data-dir', dataDir]);
      assert.notEqual(await p.exited, 0);
      const lines = nonEmptyLines(p.stderr());
      assert.equal(lines.length, 1, p.stderr());
      assert.match(lines[0]!, re);
      assert.equal(existsSync(dataDir), false, `${args.join(' ')}: nothing created`);
    }
  });

  test('--version prints the version', async () => {
    const p = startMain(['--version']);
    assert.equal(await p.exited, 0);
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    assert.equal(p.stdout().trim(), version);
  });
});

describe('the admin token of a first start', () => {
  test('a failed first start leaves nothing behind; the next start prints the token', async () => {
    const dataDir = join(scratch, 'first');
    const busy = await busyPort();
    const failed = startMain(['--rtmp-port', String(busy.port), '--http-port', '0', '--data-dir', dataDir]);
    assert.notEqual(await failed.exited, 0);
    busy.server.close();
    const ok = startMain(['--rtmp-port', '0', '--http-port', '0', '--data-dir', dataDir]);
    try {
      await waitFor('the admin token line', () => /Admin API token .*: onair_\S+/.test(ok.stdout()), 200_000);
    } finally {
      await ok.kill();
    }
  });
});

describe('one embedded database, one server', () => {
  test('a second server on the same --data-dir is refused, naming the process that holds it', async () => {
    const first = await startTestServer({ auth: 'keys' });
    try {
      const dataDir = first.config.dataDir;
      const before = readdirSync(dataDir);
      const second = startMain(['--rtmp-port', '0', '--http-port', '0', '--data-dir', dataDir]);
      assert.notEqual(await second.exited, 0);
      const lines = nonEmptyLines(second.stderr());
      assert.equal(lines.length, 1, second.stderr());
      assert.match(lines[0]!, new RegExp(`in use by .*pid ${process.pid}`));
      assert.deepEqual(readdirSync(dataDir), before);
      assert.equal((await fetch(first.httpUrl('/healthz'))).status, 200, 'the first server is unaffected');
    } finally {
      await first.close();
    }
  });
});
