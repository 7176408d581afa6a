import type { AmfObject } from '../../formats/amf/index.js';
import type { Publisher, PublisherInfo, StreamHub } from '../../hub/index.js';
import { decodeData, MessageType, type RtmpMessage } from '../../protocols/rtmp/index.js';
import { RtmpIngest } from '../rtmp/rtmp-ingest.js';

/**
 * RTMP play (an internal pull from the stream's owner) -> the local hub, as a publisher: what the owner plays to
 * us is what a publisher would have sent, so RtmpIngest turns it into MediaPackets. The owner's publisher may leave
 * and come back while the pull stays connected (its players get UnpublishNotify / PublishNotify): the local
 * publisher follows, so local viewers see the same end and restart as the owner's own players.
 */
export class RtmpRelayIngest {
  private ingest: RtmpIngest | undefined;
  private closed = false;
  /** Messages relayed (tests, logs). */
  messages = 0;

  constructor(
    private readonly hub: StreamHub,
    private readonly path: string,
    private readonly info: PublisherInfo,
    /** The hub took the stream away (a local publisher took over, or shutdown): the pull should end. */
    private readonly onKicked: (reason: string) => void,
  ) {}

  get publisher(): Publisher | undefined {
    return this.ingest?.publisher;
  }

  /** An onStatus on the playing stream. Throws what StreamHub.publish throws (a local publisher holds the path). */
  onStatus(code: string): void {
    if (this.closed) return;
    if (code === 'NetStream.Play.Start' || code === 'NetStream.Play.PublishNotify') this.begin();
    else if (code === 'NetStream.Play.UnpublishNotify') this.end('the owner\'s publisher left');
  }

  onMessage(msg: RtmpMessage): void {
    const ingest = this.ingest;
    if (!ingest) return;
    this.messages++;
    if (msg.typeId === MessageType.VIDEO || msg.typeId === MessageType.AUDIO) return ingest.onMedia(msg);
    if (msg.typeId !== MessageType.DATA_AMF0 && msg.typeId !== MessageType.DATA_AMF3) return;
    const meta = metadataOf(decodeData(msg.payload, msg.typeId === MessageType.DATA_AMF3));
    if (meta) ingest.onMetadata(meta);
  }

  /** The pull ended: the local publisher goes (viewers get the publisher's end). Idempotent. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.end(reason);
  }

  private begin(): void {
    if (this.ingest) return;
    const publisher = this.hub.publish(this.path, this.info);
    publisher.onKick = (reason) => {
      this.ingest = undefined;
      this.onKicked(reason);
    };
    this.ingest = new RtmpIngest(publisher);
  }

  private end(reason: string): void {
    const ingest = this.ingest;
    this.ingest = undefined;
    ingest?.publisher.close(reason);
  }
}

/** The object of `onMetaData` (as a player receives it) or of `@setDataFrame, onMetaData`. */
function metadataOf(values: unknown[]): AmfObject | undefined {
  const [first, second, third] = values;
  const meta = first === '@setDataFrame' && second === 'onMetaData' ? third : first === 'onMetaData' ? second : undefined;
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) && !(meta instanceof Date) && !Buffer.isBuffer(meta) && !(meta instanceof Map)
    ? meta as AmfObject : undefined;
}
