/**
 * Test-only: a tiny, independent MPEG-TS reader used to check what TsMuxer wrote (packet structure,
 * continuity counters, adaptation fields, PES reassembly). Not a production demuxer: it asserts.
 */
import assert from 'node:assert/strict';

export interface TsPacketInfo {
  pid: number;
  pusi: boolean;
  cc: number;
  hasPayload: boolean;
  randomAccess: boolean;
  pcr?: number;
  payload: Buffer;
}

export function readPackets(ts: Buffer): TsPacketInfo[] {
  assert.equal(ts.length % 188, 0, 'whole packets');
  const out: TsPacketInfo[] = [];
  for (let at = 0; at < ts.length; at += 188) {
    const p = ts.subarray(at, at + 188);
    assert.equal(p[0], 0x47, `sync byte at ${at}`);
    const pid = p.readUInt16BE(1) & 0x1fff;
    const afc = (p[3]! >> 4) & 3;
    let off = 4;
    let randomAccess = false;
    let pcr: number | undefined;
    if (afc & 2) {
      const len = p[4]!;
      assert.ok(len <= 183, 'adaptation_field_length');
      if (len > 0) {
        const flags = p[5]!;
        randomAccess = (flags & 0x40) !== 0;
        if (flags & 0x10) pcr = p.readUInt32BE(6) * 2 + (p[10]! >> 7);
      }
      off = 5 + len;
    }
    out.push({ pid, pusi: (p[1]! & 0x40) !== 0, cc: p[3]! & 0x0f, hasPayload: (afc & 1) !== 0, randomAccess, pcr, payload: p.subarray(off) });
  }
  return out;
}

/** Asserts every PID's continuity_counter increments by 1 mod 16 on each packet with payload. */
export function assertContinuity(packets: TsPacketInfo[]): void {
  const last = new Map<number, number>();
  for (const [i, p] of packets.entries()) {
    if (!p.hasPayload) continue;
    const prev = last.get(p.pid);
    if (prev !== undefined) assert.equal(p.cc, (prev + 1) & 0x0f, `CC of PID ${p.pid} at packet ${i}`);
    last.set(p.pid, p.cc);
  }
}

export interface PesInfo {
  streamId: number;
  pesLength: number;
  pts: number;
  dts?: number;
  data: Buffer;
}

export function readTimestamp(b: Buffer, at: number): number {
  return ((b[at]! >> 1) & 7) * 2 ** 30 + (b.readUInt16BE(at + 1) >> 1) * 2 ** 15 + (b.readUInt16BE(at + 3) >> 1);
}

export function parsePes(pes: Buffer): PesInfo {
  assert.equal(pes.readUIntBE(0, 3), 1, 'PES start code');
  const flags = pes[7]!;
  const hdrLen = pes[8]!;
  const pts = readTimestamp(pes, 9);
  const dts = flags & 0x40 ? readTimestamp(pes, 14) : undefined;
  const pesLength = pes.readUInt16BE(4);
  if (pesLength !== 0) assert.equal(pesLength, pes.length - 6, 'PES_packet_length');
  return { streamId: pes[3]!, pesLength, pts, dts, data: pes.subarray(9 + hdrLen) };
}

/** Reassembles the PES packets of one PID. */
export function pesOfPid(packets: TsPacketInfo[], pid: number): PesInfo[] {
  const out: Buffer[][] = [];
  for (const p of packets) {
    if (p.pid !== pid || !p.hasPayload) continue;
    if (p.pusi) out.push([]);
    out.at(-1)!.push(p.payload);
  }
  return out.map((parts) => parsePes(Buffer.concat(parts)));
}
