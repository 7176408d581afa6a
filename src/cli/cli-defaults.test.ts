import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './onair-cli.js';

test('the CLI talks to http://localhost:8080 by default, so the URLs it prints read like the README', async () => {
  const out: string[] = [];
  await runCli(['--help'], { out: (l) => out.push(l), err: (l) => out.push(l), env: {} });
  assert.match(out.join(" ").replace(/\s+/g, " "), /default: "http:\/\/localhost:8080"/);
});

test('an API the CLI cannot reach is reported with the way to point it elsewhere (--api-url / ONAIR_API_URL)', async () => {
  // A port that was free a moment ago: nothing listens there, as when the server runs on another --http-port.
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as import('node:net').AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  const err: string[] = [];
  const code = await runCli(['streams', 'list'], {
    out: () => undefined, err: (l) => err.push(l), env: { ONAIR_API_URL: `http://127.0.0.1:${port}`, ONAIR_API_TOKEN: 't' },
  });
  assert.equal(code, 1);
  assert.match(err.join('\n'), new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}`));
  assert.match(err.join('\n'), /--api-url/);
  assert.match(err.join('\n'), /ONAIR_API_URL/);
});
