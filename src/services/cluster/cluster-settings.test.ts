import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeConfig, loadConfig } from '../../config/load-config.js';
import { isOnAirError } from '../../core/errors.js';
import { advertisedUrls, checkClusterSettings, resolveNodeId } from './cluster-settings.js';

const config = (argv: string[], env: Record<string, string> = {}) => loadConfig({ argv, env });

test('--cluster with the embedded PGlite database is refused in one line naming DATABASE_URL', () => {
  assert.throws(() => checkClusterSettings(config(['--cluster', 'redis://127.0.0.1:6379'])),
    (e) => isOnAirError(e, 'ONAIR_ERR_CONFIG') && /DATABASE_URL/.test((e as Error).message) && !(e as Error).message.includes('\n'));
  checkClusterSettings(config(['--cluster', 'redis://127.0.0.1:6379'], { DATABASE_URL: 'postgres://x/y' }));
  checkClusterSettings(config([]));
});

test('--cluster must be a redis URL and --node-id a plain name', () => {
  const env = { DATABASE_URL: 'postgres://x/y' };
  assert.throws(() => checkClusterSettings(config(['--cluster', 'http://h'], env)), /redis:\/\//);
  assert.throws(() => checkClusterSettings(config(['--cluster', 'not a url'], env)), /redis:\/\//);
  assert.throws(() => checkClusterSettings(config(['--node-id', 'a b'], env)), /--node-id/);
});

test('the cluster URL is printed with its password masked; the cluster secret is masked whole', () => {
  const printed = describeConfig(config(['--cluster', 'redis://:s3cretpw@10.0.0.9:6379/2', '--cluster-secret', 'nodes-shared-secret'], { ONAIR_DATABASE_URL: 'postgres://x/y' }));
  assert.equal(printed.cluster, 'redis://:********@10.0.0.9:6379/2');
  assert.equal(printed.clusterSecret, '********');
  assert.equal(describeConfig(config(['--cluster', 'redis://10.0.0.9:6379'])).cluster, 'redis://10.0.0.9:6379', 'nothing to mask without a password');
  assert.equal(config([], { ONAIR_CLUSTER: 'redis://e:1' }).cluster, 'redis://e:1', 'env like every other setting');
});

test('node id and advertised URLs: flags win, defaults name the host and the bound ports', () => {
  assert.equal(resolveNodeId(config(['--node-id', 'edge-1'])), 'edge-1');
  assert.match(resolveNodeId(config([])), new RegExp(`-${process.pid}$`));
  assert.deepEqual(advertisedUrls(config(['--host', '127.0.0.1']), { rtmp: 1935, http: 8080 }), { rtmpUrl: 'rtmp://127.0.0.1:1935', httpUrl: 'http://127.0.0.1:8080' });
  assert.deepEqual(advertisedUrls(config(['--cluster-advertise-rtmp', 'rtmp://10.0.0.2:1935/', '--cluster-advertise-http', 'http://10.0.0.2:8080']), { rtmp: 1, http: 2 }),
    { rtmpUrl: 'rtmp://10.0.0.2:1935', httpUrl: 'http://10.0.0.2:8080' });
});

test('--cluster with --workers is accepted; --cluster or --edge-origin without --cluster-secret is refused at start', async () => {
  const env = { DATABASE_URL: 'postgres://x/y' };
  checkClusterSettings(config(['--cluster', 'redis://h:1', '--workers', '2'], env));
  const { checkEdgeSettings } = await import('../../app-edge.js');
  const locator = { locate: async () => undefined };
  assert.throws(() => checkEdgeSettings(config(['--cluster', 'redis://h:1'], env), locator), /--cluster-secret/);
  checkEdgeSettings(config(['--cluster', 'redis://h:1', '--cluster-secret', 's'], env), locator);
});
