import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandlers } from '../error-handler.js';
import { typeboxValidatorCompiler } from './typebox-validator.js';
import { healthRoutes } from './health-routes.js';
import type { StreamRecord } from '../../../services/streams/stream-types.js';

const stream = { id: 'str_a', playbackId: 'pbid', name: 'a', streamKey: 'sk_secret' } as unknown as StreamRecord;
let app: FastifyInstance;
let base: string;

before(async () => {
  app = Fastify();
  app.setValidatorCompiler(typeboxValidatorCompiler);
  installErrorHandlers(app);
  // No monitor: what --health off serves.
  await app.register(healthRoutes({ streams: { get: async (id) => (id === 'str_a' ? stream : null) }, monitor: undefined, maxFeeds: 1 }), { prefix: '/api/v1' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`;
});
after(() => app.close());

/** Opens an SSE feed and resolves with its status and first event once one arrives (or the status alone). */
function openFeed(path: string): Promise<{ status: number; first?: string; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return resolve({ status: res.statusCode!, close: () => req.destroy() });
      }
      let text = '';
      res.on('data', (b) => {
        text += b;
        if (text.includes('\n\n')) resolve({ status: 200, first: text, close: () => req.destroy() });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('a stream the server does not hold reads offline, with the schema\'s every field', async () => {
  const res = await fetch(`${base}/streams/str_a/health`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { updatedAt: string };
  assert.deepEqual(body, {
    streamId: 'str_a', state: 'offline', stableState: 'offline', since: null, updatedAt: body.updatedAt, reasons: [],
    video: null, audio: null, encoder: null, ingest: null, viewers: { rtmp: 0, hls: 0, flv: 0, total: 0 }, bytesOut: 0, history: [],
  });
  assert.ok(!JSON.stringify(body).includes('sk_secret'));
  assert.deepEqual(await (await fetch(`${base}/health`)).json(), { data: [] });
});

test('an unknown id is 404 stream_not_found, for the figures and for the feed', async () => {
  const res = await fetch(`${base}/streams/str_nope/health`);
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'stream_not_found');
  assert.equal((await openFeed('/streams/str_nope/health/events')).status, 404);
});

test('the feed sends its first event at once; past the feed limit 409 limit_reached until one closes', async () => {
  const first = await openFeed('/streams/str_a/health/events');
  assert.equal(first.status, 200);
  assert.match(first.first!, /^event: health\ndata: \{"streamId":"str_a","state":"offline"/);
  const refused = await fetch(`${base}/streams/str_a/health/events`);
  assert.equal(refused.status, 409);
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'limit_reached');
  first.close();
  let again: Awaited<ReturnType<typeof openFeed>> | undefined;
  for (let i = 0; i < 50 && again?.status !== 200; i++) {
    again?.close();
    again = await openFeed('/streams/str_a/health/events');
    if (again.status !== 200) await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(again!.status, 200, 'a closed feed frees its place');
  again!.close();
});
