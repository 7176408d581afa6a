/**
 * Test-only: each track's decode times in a run of fMP4 fragments (moof + mdat, as fragment.ts writes them): its
 * first tfdt, and where it ends (its last traf's tfdt plus that trun's sample durations). Never imported by
 * production code.
 */
import assert from 'node:assert/strict';
import { readBoxHeader } from '../box-reader.js';

interface Child {
  readonly type: string;
  readonly body: number;
  readonly end: number;
}

function children(bytes: Buffer, from: number, to: number): Child[] {
  const list: Child[] = [];
  for (let at = from; at < to;) {
    const h = readBoxHeader(bytes, at, to);
    list.push({ type: h.type, body: at + h.headerSize, end: at + h.size });
    at += h.size;
  }
  return list;
}

/** By track_ID: the first tfdt and the end of the last traf (tfdt + trun durations; a traf without trun ends at its tfdt). */
export function trackTimes(bytes: Buffer): Map<number, { start: number; end: number }> {
  const out = new Map<number, { start: number; end: number }>();
  for (const moof of children(bytes, 0, bytes.length).filter((b) => b.type === 'moof')) {
    for (const traf of children(bytes, moof.body, moof.end).filter((b) => b.type === 'traf')) {
      const boxes = children(bytes, traf.body, traf.end);
      const tfhd = boxes.find((b) => b.type === 'tfhd')!;
      const tfdt = boxes.find((b) => b.type === 'tfdt')!;
      const trun = boxes.find((b) => b.type === 'trun');
      assert.equal(bytes[tfdt.body], 1, 'tfdt version 1');
      const id = bytes.readUInt32BE(tfhd.body + 4);
      const base = bytes.readUInt32BE(tfdt.body + 4) * 0x1_0000_0000 + bytes.readUInt32BE(tfdt.body + 8);
      let duration = 0;
      if (trun) {
        assert.equal(bytes.readUInt32BE(trun.body) & 0xffffff, 0x000f01, 'trun flags: data offset, per-sample duration, size, flags, cts');
        const n = bytes.readUInt32BE(trun.body + 4);
        for (let i = 0; i < n; i++) duration += bytes.readUInt32BE(trun.body + 12 + 16 * i);
      }
      out.set(id, { start: out.get(id)?.start ?? base, end: base + duration });
    }
  }
  return out;
}
