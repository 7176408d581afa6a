import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOnAirError } from '../core/errors.js';
import { describeConfig, loadConfig } from './load-config.js';
import { SETTINGS, flagName } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'onair-config-'));

test('precedence: flag > env > file > default', () => {
  const file = join(dir, 'onair.yaml');
  writeFileSync(file, 'rtmpPort: 1111\nhttpPort: 2222\nlogLevel: warn\n');
  const c = loadConfig({ argv: ['--config', file, '--rtmp-port', '3333'], env: { ONAIR_HTTP_PORT: '4444' } });
  assert.equal(c.rtmpPort, 3333);
  assert.equal(c.httpPort, 4444);
  assert.equal(c.logLevel, 'warn');
  assert.equal(c.chunkSize, 4096);
  const json = join(dir, 'onair.json');
  writeFileSync(json, JSON.stringify({ auth: 'open' }));
  assert.equal(loadConfig({ argv: [`--config=${json}`], env: {} }).auth, 'open');
});

test('DATABASE_URL and ONAIR_API_TOKEN are honoured', () => {
  const c = loadConfig({ env: { DATABASE_URL: 'postgres://x', ONAIR_API_TOKEN: 't' } });
  assert.equal(c.databaseUrl, 'postgres://x');
  assert.equal(c.apiToken, 't');
});

test('bad input is a typed config error that names the setting', () => {
  const bad: [string[], Record<string, string>, RegExp][] = [
    [['--rtmp-port', 'abc'], {}, /rtmpPort/],
    [['--rtmp-port', '70000'], {}, /above/],
    [['--auth', 'sometimes'], {}, /one of/],
    [['--no-such-flag', '1'], {}, /unknown flag/],
    [['--rtmp-port'], {}, /needs a value/],
    [[], { ONAIR_CHUNK_SIZE: '12' }, /below/],
    [['--tls-cert', 'x.pem'], {}, /go together/],
  ];
  for (const [argv, env, re] of bad) {
    assert.throws(() => loadConfig({ argv, env }), (e) => isOnAirError(e, 'ONAIR_ERR_CONFIG') && re.test((e as Error).message), argv.join(' '));
  }
  const unknownKey = join(dir, 'bad.yaml');
  writeFileSync(unknownKey, 'rtmpPrt: 1\n');
  assert.throws(() => loadConfig({ argv: ['--config', unknownKey], env: {} }), /unknown setting rtmpPrt/);
});

test('secrets are masked when the config is printed', () => {
  const c = loadConfig({ argv: ['--publish-secret', 'hunter2', '--api-token', 'tok'], env: { DATABASE_URL: 'postgres://u:pw@h/db' } });
  const printed = JSON.stringify(describeConfig(c));
  for (const secret of ['hunter2', 'tok', 'pw@h']) assert.ok(!printed.includes(secret), `${secret} printed`);
});

test('the README documents every flag', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const key of Object.keys(SETTINGS)) assert.ok(readme.includes(`\`--${flagName(key)}\``), `--${flagName(key)} missing from README`);
});
