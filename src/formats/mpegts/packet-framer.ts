import { TS_PACKET_SIZE } from './limits.js';

const SYNC_BYTE = 0x47;

export interface TsFramerStats {
  /** 188-byte packets handed out. */
  packets: number;
  /** Times the framer lost sync (or had to skip bytes to find it first) and searched again. */
  resyncs: number;
  /** Bytes skipped while searching for sync. */
  droppedBytes: number;
}

/**
 * Cuts a byte stream that arrives in any split into 188-byte transport packets (ISO/IEC 13818-1 §2.4.3).
 * In sync it takes a packet wherever a sync byte sits at the next boundary; when one does not, it scans for
 * a 0x47 followed by another one 188 bytes later (one sync byte alone is too common in payload) and skips
 * what came before, counted. Holds at most one packet of bytes between pushes. Packets are handed out as
 * (buffer, offset): a view of the input, or of one scratch buffer for a packet split across pushes; either
 * is only valid during the callback.
 */
export class TsPacketFramer {
  readonly stats: TsFramerStats = { packets: 0, resyncs: 0, droppedBytes: 0 };
  /** Bytes of an incomplete packet (in sync) or of an unconfirmed sync candidate (searching). */
  private readonly carry = Buffer.allocUnsafe(TS_PACKET_SIZE);
  private carryLength = 0;
  private readonly joined = Buffer.allocUnsafe(TS_PACKET_SIZE);
  /** The bytes of the push in progress (a virtual stream: carry, then input). */
  private input: Buffer = this.joined;
  private synced = false;
  private everSynced = false;

  /** Bytes held between pushes (at most one packet). */
  get bufferedBytes(): number {
    return this.carryLength;
  }

  push(input: Buffer, onPacket: (buf: Buffer, at: number) => void): void {
    const total = this.carryLength + input.length;
    this.input = input;
    let pos = 0;
    while (true) {
      if (this.synced) {
        if (total - pos < TS_PACKET_SIZE) break;
        if (this.byteAt(pos) !== SYNC_BYTE) {
          this.synced = false;
          this.stats.resyncs++;
          continue;
        }
        this.stats.packets++;
        if (pos >= this.carryLength) onPacket(input, pos - this.carryLength);
        else {
          this.copyOut(input, pos, TS_PACKET_SIZE, this.joined);
          onPacket(this.joined, 0);
        }
        pos += TS_PACKET_SIZE;
        continue;
      }
      const found = this.findSync(pos, total);
      if (found > pos) {
        this.stats.droppedBytes += found - pos;
        // Garbage before the very first packet is a resync too: the stream did not start at a packet.
        if (!this.everSynced) this.stats.resyncs++;
        this.everSynced = true;
      }
      pos = found;
      if (found + TS_PACKET_SIZE >= total) break; // a candidate (or nothing) without its confirming byte yet
      this.synced = true;
      this.everSynced = true;
    }
    this.keepTail(input, pos, total);
    this.input = this.joined; // do not keep the caller's buffer alive
  }

  /** End of input: a last whole packet still waiting for the sync byte after it is taken as it is. */
  flush(onPacket: (buf: Buffer, at: number) => void): void {
    if (this.carryLength === TS_PACKET_SIZE && this.carry[0] === SYNC_BYTE) {
      this.stats.packets++;
      onPacket(this.carry, 0);
    }
    this.carryLength = 0;
  }

  private byteAt(i: number): number {
    return i < this.carryLength ? this.carry[i]! : this.input[i - this.carryLength]!;
  }

  /**
   * The first i >= from with a sync byte at i and at i + 188; a candidate whose confirming byte has not
   * arrived yet is returned as is (the caller keeps it). Returns `total` when there is no candidate at all.
   */
  private findSync(from: number, total: number): number {
    for (let i = from; i < total; i++) {
      if (this.byteAt(i) !== SYNC_BYTE) continue;
      if (i + TS_PACKET_SIZE >= total || this.byteAt(i + TS_PACKET_SIZE) === SYNC_BYTE) return i;
    }
    return total;
  }

  /** Copies `n` bytes at virtual position `from` (carry, then input) into `out`. */
  private copyOut(input: Buffer, from: number, n: number, out: Buffer): void {
    let o = 0;
    if (from < this.carryLength) {
      o = this.carry.copy(out, 0, from, this.carryLength);
      from = this.carryLength;
    }
    input.copy(out, o, from - this.carryLength, from - this.carryLength + (n - o));
  }

  private keepTail(input: Buffer, pos: number, total: number): void {
    const n = total - pos;
    if (n === 0) {
      this.carryLength = 0;
      return;
    }
    // n <= 188 by construction: in sync a tail is under one packet; searching keeps at most a candidate and its packet.
    this.copyOut(input, pos, n, this.joined);
    this.joined.copy(this.carry, 0, 0, n);
    this.carryLength = n;
  }
}
