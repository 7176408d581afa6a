/**
 * Interop check of the transport layer against real clients: each connects to a bare TCP listener
 * that runs ServerHandshake + ChunkReader, and must get as far as sending its connect command. ffmpeg
 * *playing* validates the digest S1/S2 before it writes C2, so a connect from it proves our complex
 * handshake; rtmpdump sends a plain C1. Skipped when a tool is not installed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { ChunkReader } from './chunk/chunk-reader.js';
import type { RtmpMessage } from './chunk/rtmp-message.js';
import { ServerHandshake } from './handshake/server-handshake.js';
import { MessageType } from './messages/message-types.js';

function has(tool: string): boolean {
  return spawnSync('which', [tool]).status === 0;
}

interface Outcome {
  complex: boolean;
  connect: RtmpMessage;
}

/** Accepts one connection, handshakes, reads chunks until a command message arrives. */
async function firstCommand(runClient: (port: number) => () => void): Promise<Outcome> {
  let stop = (): void => {};
  const server = createServer();
  try {
    return await new Promise<Outcome>((resolve, reject) => {
      server.on('connection', (socket: Socket) => {
        const hs = new ServerHandshake();
        const reader = new ChunkReader();
        socket.on('data', (data: Buffer) => {
          try {
            let bytes = data;
            if (!hs.done) {
              const step = hs.push(data);
              for (const b of step.send) socket.write(b);
              if (!step.done) return;
              bytes = step.rest;
            }
            for (const msg of reader.push(bytes)) {
              if (msg.typeId === MessageType.COMMAND_AMF0) resolve({ complex: hs.complex, connect: msg });
            }
          } catch (err) {
            reject(err);
          }
        });
        socket.on('error', () => {});
        socket.on('close', () => reject(new Error('client closed the connection before its connect')));
      });
      server.listen(0, '127.0.0.1', () => {
        stop = runClient((server.address() as AddressInfo).port);
      });
    });
  } finally {
    stop();
    server.close();
  }
}

function launch(cmd: string, args: string[]): () => void {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  return () => child.kill('SIGKILL');
}

test('ffmpeg playing: digest handshake validated, connect decoded', { skip: !has('ffmpeg') }, async () => {
  const out = await firstCommand((port) =>
    launch('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', `rtmp://127.0.0.1:${port}/live/x`, '-f', 'null', '-']));
  assert.equal(out.complex, true);
  assert.ok(out.connect.payload.includes(Buffer.from('connect')));
  assert.equal(out.connect.streamId, 0);
});

test('ffmpeg publishing: connect decoded', { skip: !has('ffmpeg') }, async () => {
  const out = await firstCommand((port) =>
    launch('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5',
      '-t', '5', '-c:v', 'mpeg4', '-f', 'flv', `rtmp://127.0.0.1:${port}/live/x`]));
  assert.equal(out.complex, true);
  assert.ok(out.connect.payload.includes(Buffer.from('connect')));
});

test('rtmpdump: plain handshake, connect decoded', { skip: !has('rtmpdump') }, async () => {
  const out = await firstCommand((port) =>
    launch('rtmpdump', ['-q', '-r', `rtmp://127.0.0.1:${port}/live/x`, '-o', '/dev/null']));
  assert.equal(out.complex, false);
  assert.ok(out.connect.payload.includes(Buffer.from('connect')));
});
