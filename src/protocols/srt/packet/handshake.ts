import { isIPv4, isIPv6 } from 'node:net';
import { OnAirError } from '../../../core/errors.js';
import { ByteReader } from '../../../core/byte-reader.js';
import { MAX_HANDSHAKE_EXTENSIONS } from '../limits.js';

/** Handshake request types (libsrt UDTRequestType), as the unsigned 32-bit value on the wire. */
export const HandshakeType = {
  waveahand: 0,
  induction: 1,
  conclusion: 0xffff_ffff,
  agreement: 0xffff_fffe,
  done: 0xffff_fffd,
} as const;

/** A rejection is sent as 1000 + reason in the request type field (libsrt URQ_FAILURE_TYPES). */
export const REJECTION_BASE = 1000;

/** Extension flags in the lower 16 bits of the Type field of a v5 conclusion (libsrt HS_EXT_*). */
export const HsExtFlag = { hsreq: 1, kmreq: 2, config: 4 } as const;

/** Handshake extension block types (libsrt SRT_CMD_*); the same numbers are UMSG_EXT subtypes. */
export const ExtType = { hsReq: 1, hsRsp: 2, kmReq: 3, kmRsp: 4, sid: 5, congestion: 6, filter: 7, group: 8 } as const;

/** A v5 listener's induction response carries this in the extension field (libsrt SRT_MAGIC_CODE). */
export const SRT_MAGIC_CODE = 0x4a17;

/** Legacy UDT socket type an induction request carries in the Type field (UDT_DGRAM). */
export const UDT_DGRAM = 2;

export const HANDSHAKE_SIZE = 48;

export interface HandshakeExtension {
  readonly type: number;
  /** The block's words in network order (a view into the packet). */
  readonly body: Buffer;
}

export interface Handshake {
  readonly version: number;
  /** Upper 16 bits of Type: the advertised PBKEYLEN / 8 (0, 2, 3, 4) in v5. */
  readonly encryptionField: number;
  /** Lower 16 bits of Type: HS_EXT flags in a v5 conclusion, SRT_MAGIC_CODE in a v5 induction response. */
  readonly extensionField: number;
  readonly isn: number;
  readonly mss: number;
  readonly flowWindow: number;
  readonly handshakeType: number;
  readonly socketId: number;
  readonly cookie: number;
  /** 16 bytes, as on the wire. */
  readonly peerIp: Buffer;
  readonly extensions: readonly HandshakeExtension[];
}

/**
 * Decodes a handshake control information field. Extension blocks are read only from a v5 conclusion
 * (libsrt ignores trailing bytes otherwise); each block must fit, and at most MAX_HANDSHAKE_EXTENSIONS
 * are walked.
 */
export function decodeHandshake(cif: Buffer): Handshake {
  const r = new ByteReader(cif);
  const version = r.u32('handshake version');
  const type = r.u32('handshake type field');
  const isn = r.u32('handshake isn');
  if (isn & 0x8000_0000) throw new OnAirError('ONAIR_ERR_MALFORMED', 'handshake initial sequence number above 31 bits');
  const mss = r.u32('handshake mss');
  const flowWindow = r.u32('handshake flow window');
  const handshakeType = r.u32('handshake request type');
  const socketId = r.u32('handshake socket id');
  const cookie = r.u32('handshake cookie');
  const peerIp = r.bytes(16, 'handshake peer ip');
  const extensions: HandshakeExtension[] = [];
  if (version >= 5 && handshakeType === HandshakeType.conclusion) {
    while (r.remaining > 0) {
      if (extensions.length >= MAX_HANDSHAKE_EXTENSIONS) {
        throw new OnAirError('ONAIR_ERR_LIMIT', `more than ${MAX_HANDSHAKE_EXTENSIONS} handshake extension blocks`);
      }
      const extType = r.u16('handshake extension type');
      const words = r.u16('handshake extension size');
      extensions.push({ type: extType, body: r.bytes(words * 4, 'handshake extension body') });
    }
  }
  return {
    version, encryptionField: type >>> 16, extensionField: type & 0xffff, isn, mss, flowWindow, handshakeType, socketId, cookie,
    peerIp, extensions,
  };
}

export interface HandshakeFields extends Omit<Handshake, 'extensions' | 'peerIp'> {
  readonly peerIp?: Buffer;
}

/** Encodes a handshake CIF followed by the given extension blocks (bodies must be whole words). */
export function encodeHandshake(hs: HandshakeFields, extensions: readonly HandshakeExtension[] = []): Buffer {
  const size = HANDSHAKE_SIZE + extensions.reduce((n, e) => n + 4 + e.body.length, 0);
  const out = Buffer.alloc(size);
  out.writeUInt32BE(hs.version >>> 0, 0);
  out.writeUInt16BE(hs.encryptionField & 0xffff, 4);
  out.writeUInt16BE(hs.extensionField & 0xffff, 6);
  out.writeUInt32BE(hs.isn >>> 0, 8);
  out.writeUInt32BE(hs.mss >>> 0, 12);
  out.writeUInt32BE(hs.flowWindow >>> 0, 16);
  out.writeUInt32BE(hs.handshakeType >>> 0, 20);
  out.writeUInt32BE(hs.socketId >>> 0, 24);
  out.writeUInt32BE(hs.cookie >>> 0, 28);
  hs.peerIp?.copy(out, 32, 0, 16);
  let at = HANDSHAKE_SIZE;
  for (const e of extensions) {
    if (e.body.length % 4 !== 0 || e.body.length > 0xffff * 4) {
      throw new OnAirError('ONAIR_ERR_LIMIT', `handshake extension of ${e.body.length} bytes is not a whole number of words`);
    }
    out.writeUInt16BE(e.type, at);
    out.writeUInt16BE(e.body.length / 4, at + 2);
    e.body.copy(out, at + 4);
    at += 4 + e.body.length;
  }
  return out;
}

/**
 * The Peer IP field as libsrt writes it: the address bytes, each 32-bit word byte-reversed (libsrt copies
 * the address into host-order words and swaps every control word when sending). IPv4 fills word 0.
 */
export function encodePeerIp(peer: string): Buffer {
  const out = Buffer.alloc(16);
  const address = peer.startsWith('::ffff:') && isIPv4(peer.slice(7)) ? peer.slice(7) : peer;
  if (isIPv4(address)) {
    const parts = address.split('.').map(Number);
    for (let i = 0; i < 4; i++) out[3 - i] = parts[i]!;
  } else if (isIPv6(address)) {
    const bytes = ipv6Bytes(address);
    for (let w = 0; w < 4; w++) for (let i = 0; i < 4; i++) out[w * 4 + 3 - i] = bytes[w * 4 + i]!;
  }
  return out;
}

function ipv6Bytes(address: string): number[] {
  const [head = '', tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.flatMap((g) => {
    const v = parseInt(g, 16) || 0;
    return [v >> 8, v & 0xff];
  });
}
