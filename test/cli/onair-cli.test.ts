import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { runCli } from '../../src/cli/onair-cli.js';

describe('onair streams CLI', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApiHarness();
  });
  after(async () => h.close());

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { ONAIR_API_URL: h.baseUrl, ONAIR_API_TOKEN: h.token } });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('create prints the OBS Server and Stream Key lines; get, list, reset-key, delete work', async () => {
    const c = await run('streams', 'create', '--name', 'cli stream');
    assert.equal(c.code, 0);
    assert.match(c.out, /^OBS Server: +rtmp:\/\/127\.0\.0\.1:\d+\/live$/m);
    const key = /^Stream Key: +(sk_\S+)$/m.exec(c.out)?.[1];
    const id = /^ID: +(str_\S+)$/m.exec(c.out)?.[1];
    assert.ok(key && id);
    assert.match((await run('streams', 'get', id)).out, new RegExp(`Stream Key: +${key}`));
    const list = await run('streams', 'list');
    assert.match(list.out, new RegExp(id));
    assert.ok(!list.out.includes(key));
    const r = await run('streams', 'reset-key', id);
    assert.ok(!r.out.includes(key));
    assert.match(r.out, /Stream Key: +sk_/);
    assert.equal((await run('streams', 'delete', id)).code, 0);
    const gone = await run('streams', 'get', id);
    assert.equal(gone.code, 1);
    assert.match(gone.err, /stream_not_found/);
  });

  it('a wrong token is reported, not thrown', async () => {
    const out: string[] = [];
    const code = await runCli(['--token', 'nope', 'streams', 'list'], { out: (l) => out.push(l), err: (l) => out.push(l), env: { ONAIR_API_URL: h.baseUrl } });
    assert.equal(code, 1);
    assert.match(out.join('\n'), /unauthorized/);
  });

  it('bin/onair.mjs runs the CLI', async () => {
    const { stdout } = await promisify(execFile)('node', ['bin/onair.mjs', 'streams', 'create', '--name', 'from-bin'], {
      env: { ...process.env, ONAIR_API_URL: h.baseUrl, ONAIR_API_TOKEN: h.token },
    });
    assert.match(stdout, /OBS Server:/);
    assert.match(stdout, /Stream Key: +sk_/);
  });
});

describe('onair streams CLI against a server with SRT on', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApiHarness({ srt: true, config: { srtPort: 9000 } });
  });
  after(async () => h.close());

  it('create and get print the SRT publish URL with the key in its stream id, ready for ffmpeg or OBS', async () => {
    const out: string[] = [];
    const run = (...argv: string[]) => runCli(argv, { out: (l) => out.push(l), err: (l) => out.push(l), env: { ONAIR_API_URL: h.baseUrl, ONAIR_API_TOKEN: h.token } });
    assert.equal(await run('streams', 'create', '--name', 'srt'), 0);
    const key = /^Stream Key: +(sk_\S+)$/m.exec(out.join('\n'))?.[1];
    const id = /^ID: +(str_\S+)$/m.exec(out.join('\n'))?.[1];
    assert.ok(key && id);
    assert.match(out.join('\n'), new RegExp(`^SRT Server: +srt://127\\.0\\.0\\.1:9000\\?streamid=#!::r=live/${key},m=publish$`, 'm'));
    out.length = 0;
    assert.equal(await run('streams', 'list'), 0);
    assert.doesNotMatch(out.join('\n'), /SRT Server/);
    assert.equal(await run('streams', 'get', id), 0);
    assert.match(out.join('\n'), /^SRT Server: +srt:\/\/.*r=live\/sk_/m);
  });
});
