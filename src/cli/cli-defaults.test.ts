import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './onair-cli.js';

test('the CLI talks to http://localhost:8080 by default, so the URLs it prints read like the README', async () => {
  const out: string[] = [];
  await runCli(['--help'], { out: (l) => out.push(l), err: (l) => out.push(l), env: {} });
  assert.match(out.join(" ").replace(/\s+/g, " "), /default: "http:\/\/localhost:8080"/);
});
