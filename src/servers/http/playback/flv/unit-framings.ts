import type { UnitFraming } from '../../../../bridges/flv/index.js';

const CRLF = Buffer.from('\r\n', 'latin1');

/** One HTTP/1.1 chunk (RFC 9112 7.1): hex size, CRLF, the bytes, CRLF. A unit is never empty, so never the last chunk. */
export const HTTP_CHUNK_FRAMING: UnitFraming = {
  head: (length) => Buffer.from(`${length.toString(16)}\r\n`, 'latin1'),
  tail: CRLF,
};

/** WebSocket opcode 2 (binary) with FIN: one whole message per unit. */
const WS_FIN_BINARY = 0x82;

/**
 * One unmasked server-to-client WebSocket binary frame (RFC 6455 5.2): 2 bytes up to 125 payload bytes, 4 bytes
 * up to 65535 (length 126 + 16 bits), else 10 (length 127 + 64 bits). No extension bits: permessage-deflate, when
 * negotiated, leaves uncompressed messages (RSV1 clear) legal.
 */
export const WS_BINARY_FRAMING: UnitFraming = {
  head(length) {
    if (length < 126) return Buffer.from([WS_FIN_BINARY, length]);
    if (length < 0x10000) {
      const h = Buffer.allocUnsafe(4);
      h[0] = WS_FIN_BINARY;
      h[1] = 126;
      h.writeUInt16BE(length, 2);
      return h;
    }
    const h = Buffer.allocUnsafe(10);
    h[0] = WS_FIN_BINARY;
    h[1] = 127;
    h.writeBigUInt64BE(BigInt(length), 2);
    return h;
  },
  tail: Buffer.alloc(0),
};
