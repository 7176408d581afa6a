import { connect, type Socket } from 'node:net';
import { ChunkWriter, ClientHandshake, MessageType } from '../../src/protocols/rtmp/index.js';
import { encodeAmf0, type AmfValue } from '../../src/formats/amf/index.js';
import { within } from './proc.js';

/** A raw TCP peer for hostile-input tests: does a real handshake, then sends whatever bytes a test wants. */
export class RawRtmpPeer {
  readonly writer = new ChunkWriter({ chunkSize: 128 });
  private closedP: Promise<void>;
  closed = false;
  received = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (b: Buffer) => (this.received += b.length));
    socket.on('error', () => {});
    this.closedP = new Promise((r) => socket.on('close', () => {
      this.closed = true;
      r();
    }));
  }

  static async open(port: number): Promise<RawRtmpPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawRtmpPeer(socket);
  }

  /** Opens and completes a plain handshake. */
  static async handshaken(port: number): Promise<RawRtmpPeer> {
    const peer = await RawRtmpPeer.open(port);
    const hs = new ClientHandshake({ digest: false });
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        try {
          const step = hs.push(b);
          for (const out of step.send) peer.socket.write(out);
          if (step.done) {
            peer.socket.off('data', onData);
            resolve();
          }
        } catch (err) {
          reject(err);
        }
      };
      peer.socket.on('data', onData);
      peer.socket.write(hs.start());
    });
    return peer;
  }

  send(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  command(streamId: number, ...values: AmfValue[]): void {
    this.send(this.writer.write({ csid: 3, typeId: MessageType.COMMAND_AMF0, streamId, timestamp: 0, payload: encodeAmf0(...values) }));
  }

  connectApp(app = 'live'): void {
    this.command(0, 'connect', 1, { app, tcUrl: `rtmp://127.0.0.1/${app}` });
  }

  /** Resolves true when the server closes the connection within `ms`, false otherwise. */
  async closedWithin(ms: number): Promise<boolean> {
    return within(this.closedP.then(() => true), ms, false);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
