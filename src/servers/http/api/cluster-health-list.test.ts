import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandlers } from '../error-handler.js';
import { typeboxValidatorCompiler } from './typebox-validator.js';
import { healthRoutes } from './health-routes.js';
import { ClusterHealthList, healthListOf, otherNodeBases } from './cluster-health-list.js';

const item = { streamId: 'str_b', path: 'live/b', state: 'healthy', stableState: 'healthy', bitrateKbps: 2500, fps: 25, viewers: 3 };

test('a node\'s answer is a list only when every line has the schema\'s fields and types', () => {
  assert.deepEqual(healthListOf({ data: [item] }), [item]);
  assert.deepEqual(healthListOf({ data: [] }), []);
  for (const bad of [null, 'x', [], {}, { data: {} }, { data: [{ ...item, viewers: '3' }] }, { data: [{ ...item, state: 'live' }] }, { data: [{ path: 'live/b' }] }]) {
    assert.equal(healthListOf(bad), undefined, JSON.stringify(bad));
  }
});

test('the nodes asked: every other node once per API base, never this one nor its sibling workers', () => {
  const nodes = [
    { nodeId: 'a', httpUrl: 'http://a' }, { nodeId: 'a-w2', httpUrl: 'http://a' },
    { nodeId: 'b-w1', httpUrl: 'http://b' }, { nodeId: 'b-w2', httpUrl: 'http://b' }, { nodeId: 'c', httpUrl: '' },
  ];
  assert.deepEqual([...otherNodeBases(nodes, (id) => id.startsWith('a'))], [['http://b', 'b-w1']]);
});

let app: FastifyInstance;
let base: string;
const upstreams: Server[] = [];
const seen: IncomingHttpHeaders[] = [];
let list: ClusterHealthList;

/** A node's API on loopback answering every request with `answer` (or never, when it is undefined). */
async function nodeApi(answer: string | undefined): Promise<string> {
  const server = createServer((req, res) => {
    seen.push(req.headers);
    if (answer !== undefined) res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
  });
  upstreams.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  const good = await nodeApi(JSON.stringify({ data: [item] }));
  const garbled = await nodeApi('{"data": [{"path": 1}]}');
  const silent = await nodeApi(undefined);
  const refused = await nodeApi('');
  await new Promise((r) => upstreams.pop()!.close(r));
  const nodes = [
    { nodeId: 'self', httpUrl: 'http://127.0.0.1:1' }, { nodeId: 'b-w1', httpUrl: good }, { nodeId: 'b-w2', httpUrl: good },
    { nodeId: 'c', httpUrl: garbled }, { nodeId: 'd', httpUrl: silent }, { nodeId: 'e', httpUrl: refused },
  ];
  // The wait is a bound on the silent node only: the test asserts no timing.
  list = new ClusterHealthList(async () => nodes, (id) => id === 'self', 300);
  app = Fastify();
  app.setValidatorCompiler(typeboxValidatorCompiler);
  installErrorHandlers(app);
  await app.register(healthRoutes({
    streams: { get: async () => null }, monitor: undefined,
    clusterList: { others: (req) => list.others(req), pulledHere: () => false },
  }), { prefix: '/api/v1' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`;
});
after(async () => {
  await app.close();
  for (const s of upstreams) s.closeAllConnections();
  await Promise.all(upstreams.map((s) => new Promise((r) => s.close(r))));
});

test('the list gathers the other nodes\' own lists with the caller\'s token; a node without a valid answer is left out and counted', async () => {
  const res = await fetch(`${base}/health`, { headers: { authorization: 'Bearer tok' } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { data: [item] });
  assert.equal(list.missing, 3, 'the garbled, the silent and the refused node');
  // Asked: the good base once (two workers behind it), the garbled and the silent node.
  assert.equal(seen.length, 3);
  for (const h of seen) {
    assert.equal(h['x-onair-hop'], 'node', 'asked for its own list only');
    assert.equal(h.authorization, 'Bearer tok');
  }
});

test('a list asked by another node is this node\'s own: nothing gathered', async () => {
  const before = seen.length;
  const res = await fetch(`${base}/health`, { headers: { 'x-onair-hop': 'node' } });
  assert.deepEqual(await res.json(), { data: [] });
  assert.equal(seen.length, before);
});
