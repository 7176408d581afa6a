/**
 * How a carrier frames one unit of FLV bytes: an HTTP/1.1 chunk, a WebSocket binary frame, or nothing (a
 * close-delimited HTTP/1.0 body, a test). One object per kind of carrier, shared by all its viewers: the framed
 * batches are shared by identity of their framing.
 */
export interface UnitFraming {
  /** The bytes before a unit of `length` bytes; empty when the carrier needs none. */
  head(length: number): Buffer;
  /** The bytes after the unit; empty when the carrier needs none. */
  readonly tail: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** No framing: the FLV bytes as they are. */
export const NO_FRAMING: UnitFraming = { head: () => EMPTY, tail: EMPTY };

/** Distinct batches combined per flush round: about one per cohort of each stream flushed in that round. */
const MAX_COMBINATIONS_PER_ROUND = 32;

/**
 * The queued tags of one viewer as one framed buffer. Viewers of one cohort queue the same tag buffers between two
 * flushes, so the framed concatenation is made once per round and shared: each viewer then costs one plain write
 * of a buffer that already carries its HTTP chunk header (or WebSocket frame header), like SharedChunks.combine on
 * the RTMP side. The cache lives for one round of the FlushScheduler (endRound).
 */
export class SharedFlvBatches {
  private readonly combinations: { framing: UnitFraming; parts: Buffer[]; wire: Buffer }[] = [];

  combine(parts: readonly Buffer[], framing: UnitFraming): Buffer {
    search: for (const c of this.combinations) {
      if (c.framing !== framing || c.parts.length !== parts.length) continue;
      for (let i = 0; i < parts.length; i++) if (c.parts[i] !== parts[i]) continue search;
      return c.wire;
    }
    const wire = Buffer.concat(framed(parts, framing));
    if (this.combinations.length < MAX_COMBINATIONS_PER_ROUND) this.combinations.push({ framing, parts: [...parts], wire });
    return wire;
  }

  /** End of a flush round: the combinations are not reused (they would only pin buffers). */
  endRound(): void {
    this.combinations.length = 0;
  }
}

/** `parts` as one framed unit, as a vector (nothing copied): head, the parts, tail; empty pieces left out. */
export function framed(parts: readonly Buffer[], framing: UnitFraming): Buffer[] {
  let length = 0;
  for (const p of parts) length += p.length;
  const head = framing.head(length);
  const out: Buffer[] = [];
  if (head.length > 0) out.push(head);
  for (const p of parts) out.push(p);
  if (framing.tail.length > 0) out.push(framing.tail);
  return out;
}
