import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOnAirError } from '../core/errors.js';
import { helpText, loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'onair-flags-'));
const configError = (argv: string[], re: RegExp) =>
  assert.throws(() => loadConfig({ argv, env: {} }), (e) => isOnAirError(e, 'ONAIR_ERR_CONFIG') && re.test((e as Error).message), argv.join(' '));

test('boolean flags work bare, with a value, and as --no-<flag>', () => {
  assert.equal(loadConfig({ argv: ['--tcp-nodelay'], env: {} }).tcpNodelay, true);
  assert.equal(loadConfig({ argv: ['--hls'], env: {} }).hls, true);
  assert.equal(loadConfig({ argv: ['--no-hls'], env: {} }).hls, false);
  assert.equal(loadConfig({ argv: ['--hls', 'off', '--rtmp-port', '1'], env: {} }).hls, false);
  const c = loadConfig({ argv: ['--tcp-nodelay', '--rtmp-port', '1'], env: {} });
  assert.equal(c.tcpNodelay, true, 'a bare boolean before another flag');
  assert.equal(c.rtmpPort, 1);
  assert.equal(loadConfig({ argv: ['--hls=false'], env: {} }).hls, false);
  configError(['--no-rtmp-port'], /--no-rtmp-port.*not a boolean|unknown flag/);
});

test('an unknown flag is named as unknown, with the closest flag suggested', () => {
  configError(['--foo'], /^unknown flag --foo/);
  configError(['--rtmp-prot', '1935'], /unknown flag --rtmp-prot; did you mean --rtmp-port\?/);
  configError(['--http-port'], /--http-port needs a value/);
  configError(['--rtmp-port', '--http-port', '1'], /--rtmp-port needs a value/);
});

test('a boolean flag with a bad word names the flag and the words it takes, wherever the word is', () => {
  configError(['--hls', 'maybe'], /^bad value for --hls: "maybe" \(expected on\/off, true\/false, yes\/no or 1\/0/);
  configError(['--hls=maybe', '--rtmp-port', '1'], /^bad value for --hls: "maybe"/);
  configError(['--tcp-nodelay', 'Maybe', '--rtmp-port', '1'], /^bad value for --tcp-nodelay: "Maybe"/);
  assert.equal(loadConfig({ argv: ['--hls', 'OFF'], env: {} }).hls, false, 'any case');
  assert.throws(() => loadConfig({ argv: [], env: { ONAIR_HLS: 'maybe' } }), /hls from ONAIR_HLS: expected on\/off, true\/false, yes\/no or 1\/0, got "maybe"/);
});

test('a config file that does not parse is named in the error', () => {
  const yaml = join(dir, 'broken.yaml');
  writeFileSync(yaml, 'rtmpPort: [1935\n');
  configError(['--config', yaml], new RegExp(`${yaml.replace(/[.]/g, '\\.')}`));
  const json = join(dir, 'broken.json');
  writeFileSync(json, '{"rtmpPort": 1935,}');
  configError(['--config', json], new RegExp(`${json.replace(/[.]/g, '\\.')}.*JSON`));
});

test('--help shows value placeholders, --config and --version, and no secret values', () => {
  const help = helpText();
  assert.match(help, /--rtmp-port <int>/);
  assert.match(help, /--auth <keys\|signed\|callback\|open>/);
  assert.match(help, /--public-url <url>|--public-url <string>/);
  assert.match(help, /--config <file>/);
  assert.match(help, /--version/);
  assert.match(help, /--\[no-\]hls|--no-hls/);
});
