import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect, createServer as createNetServer, type Server } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import selfsigned from 'selfsigned';
import { OnAirError } from '../../core/errors.js';
import { RtmpStatusError } from '../../protocols/rtmp/index.js';
import { classifyPushError } from './push-error-class.js';
import { RtmpClient } from './rtmp-client.js';

const errorOf = (start: (resolveErr: (e: Error) => void) => void): Promise<Error> => new Promise(start);
const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
};
async function closedPort(): Promise<number> {
  const s = createNetServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

test('socket errors from real connections: refused, TLS certificate, TLS to a plain port', async () => {
  const refused = await errorOf(async (done) => netConnect({ host: '127.0.0.1', port: await closedPort() }).on('error', done));
  assert.equal(classifyPushError(refused), 'refused', (refused as NodeJS.ErrnoException).code);

  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec' });
  const tlsServer = createTlsServer({ cert: pems.cert, key: pems.private }, (s) => s.end());
  const tlsPort = await listen(tlsServer);
  const untrusted = await errorOf((done) => tlsConnect({ host: '127.0.0.1', port: tlsPort, servername: 'localhost' }).on('error', done));
  assert.equal(classifyPushError(untrusted), 'tls', (untrusted as NodeJS.ErrnoException).code);
  tlsServer.close();

  const plain = createNetServer((s) => s.end('RTMP is not TLS\r\n\r\n'));
  const plainPort = await listen(plain);
  const wrongProtocol = await errorOf((done) => tlsConnect({ host: '127.0.0.1', port: plainPort, rejectUnauthorized: false }).on('error', done));
  assert.equal(classifyPushError(wrongProtocol), 'tls', `${(wrongProtocol as NodeJS.ErrnoException).code} ${wrongProtocol.message}`);
  plain.close();
});

test('RtmpClient: a refused port rejects with the socket error; a silent server times out at the step deadline', async () => {
  const refused = await RtmpClient.connect(`rtmp://127.0.0.1:${await closedPort()}/live`).then(() => undefined, (e: Error) => e);
  assert.equal(classifyPushError(refused), 'refused');

  const sockets: import('node:net').Socket[] = [];
  const silent = createNetServer((s) => sockets.push(s));
  const port = await listen(silent);
  const closes: (Error | undefined)[] = [];
  const timedOut = await RtmpClient.connect(`rtmp://127.0.0.1:${port}/live`, { onClose: (e) => closes.push(e) }, { timeoutMs: 300 }).then(() => undefined, (e: Error) => e);
  assert.equal(classifyPushError(timedOut), 'timeout', timedOut?.message);
  assert.equal(closes.length, 1, 'onClose once');
  sockets.forEach((s) => s.destroy());
  silent.close();
});

test('protocol-level and synthetic errors', () => {
  assert.equal(classifyPushError(new RtmpStatusError('NetStream.Publish.BadName', 'no')), 'auth');
  assert.equal(classifyPushError(new RtmpStatusError('NetConnection.Connect.Rejected', 'no')), 'auth');
  assert.equal(classifyPushError(new RtmpStatusError('NetStream.Publish.Failed', 'busy')), 'protocol');
  assert.equal(classifyPushError(new OnAirError('ONAIR_ERR_TIMEOUT', 'x')), 'timeout');
  assert.equal(classifyPushError(new OnAirError('ONAIR_ERR_CLOSED', 'x')), 'closed');
  assert.equal(classifyPushError(new OnAirError('ONAIR_ERR_MALFORMED', 'x')), 'protocol');
  assert.equal(classifyPushError(Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), { code: 'ENOTFOUND' })), 'dns');
  assert.equal(classifyPushError(Object.assign(new Error('getaddrinfo EAI_AGAIN x'), { code: 'EAI_AGAIN' })), 'dns');
  assert.equal(classifyPushError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), 'closed');
  assert.equal(classifyPushError(Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })), 'tls');
  assert.equal(classifyPushError(Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' })), 'tls');
  assert.equal(classifyPushError('weird'), 'protocol');
});
