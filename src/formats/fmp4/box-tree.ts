import { OnAirError } from '../../core/errors.js';

/**
 * A box tree sized once and written into one buffer (ISO/IEC 14496-12 §4.2 Box / FullBox). Leaves are
 * payload Buffers; a node with `full` is a FullBox (version + 24-bit flags after the header).
 */
export interface BoxNode {
  readonly type: string;
  readonly full?: { readonly version: number; readonly flags: number };
  readonly children: readonly (BoxNode | Buffer)[];
}

export function box(type: string, ...children: (BoxNode | Buffer)[]): BoxNode {
  return { type, children };
}

export function fullBox(type: string, version: number, flags: number, ...children: (BoxNode | Buffer)[]): BoxNode {
  return { type, full: { version, flags }, children };
}

export function boxSize(node: BoxNode): number {
  let size = node.full ? 12 : 8;
  for (const c of node.children) size += Buffer.isBuffer(c) ? c.length : boxSize(c);
  return size;
}

/** Writes `node` at `offset`; returns the offset after it. */
export function writeBox(node: BoxNode, out: Buffer, offset: number): number {
  const size = boxSize(node);
  if (size > 0xffff_ffff) throw new OnAirError('ONAIR_ERR_LIMIT', `box ${node.type} of ${size} bytes needs largesize`);
  if (node.type.length !== 4) throw new OnAirError('ONAIR_ERR_MALFORMED', `box type '${node.type}' is not a FourCC`);
  out.writeUInt32BE(size, offset);
  out.write(node.type, offset + 4, 4, 'latin1');
  let at = offset + 8;
  if (node.full) {
    out.writeUInt8(node.full.version, at);
    out.writeUIntBE(node.full.flags, at + 1, 3);
    at += 4;
  }
  for (const c of node.children) {
    if (Buffer.isBuffer(c)) at += c.copy(out, at);
    else at = writeBox(c, out, at);
  }
  return at;
}

/** Serializes boxes back to back into one exactly sized Buffer. */
export function serializeBoxes(nodes: readonly BoxNode[]): Buffer {
  let total = 0;
  for (const n of nodes) total += boxSize(n);
  const out = Buffer.alloc(total);
  let at = 0;
  for (const n of nodes) at = writeBox(n, out, at);
  return out;
}

/** Fixed-size field writer for box payloads: `fields(12).u32(a).u32(b).u32(c).done()` checks the size. */
export class Fields {
  private readonly buf: Buffer;
  private at = 0;
  constructor(size: number) {
    this.buf = Buffer.alloc(size);
  }
  u8(v: number): this {
    this.at = this.buf.writeUInt8(v, this.at);
    return this;
  }
  u16(v: number): this {
    this.at = this.buf.writeUInt16BE(v, this.at);
    return this;
  }
  i16(v: number): this {
    this.at = this.buf.writeInt16BE(v, this.at);
    return this;
  }
  u24(v: number): this {
    this.at = this.buf.writeUIntBE(v, this.at, 3);
    return this;
  }
  u32(v: number): this {
    this.at = this.buf.writeUInt32BE(v, this.at);
    return this;
  }
  u64(v: number): this {
    this.at = this.buf.writeBigUInt64BE(BigInt(v), this.at);
    return this;
  }
  fourcc(s: string): this {
    this.at += this.buf.write(s, this.at, 4, 'latin1');
    return this;
  }
  zeros(n: number): this {
    this.at += n; // Buffer.alloc zero-fills
    return this;
  }
  bytes(b: Buffer): this {
    this.at += b.copy(this.buf, this.at);
    return this;
  }
  done(): Buffer {
    // A miscounted field list is a bug in this module, never input-driven.
    if (this.at !== this.buf.length) throw new OnAirError('ONAIR_ERR_STATE', `Fields: wrote ${this.at} of ${this.buf.length} bytes`);
    return this.buf;
  }
}

export function fields(size: number): Fields {
  return new Fields(size);
}
