import { seqLength, seqNext, seqOffset, seqPrev } from '../sequence.js';
import type { LossRange } from '../packet/feedback.js';

interface MutableRange {
  from: number;
  to: number;
}

/**
 * The receiver's missing sequence numbers as sorted, disjoint, inclusive ranges. New gaps are always
 * beyond every known one (they open above the highest received number), so insertion appends; filling
 * a hole splits or trims a range. Every number in it lies inside the receive window, which bounds its size.
 */
export class LossList {
  private readonly ranges: MutableRange[] = [];
  private total = 0;

  /** Packets currently missing. */
  get size(): number {
    return this.total;
  }

  get rangeCount(): number {
    return this.ranges.length;
  }

  /** The oldest missing sequence number, or null. */
  first(): number | null {
    return this.ranges[0]?.from ?? null;
  }

  /** Records `from..to` as lost; it must lie after every range already held. */
  append(from: number, to: number): void {
    const last = this.ranges[this.ranges.length - 1];
    if (last && seqOffset(last.to, from) <= 0) return; // not after the tail: a caller bug or a replay; ignore
    if (last && seqNext(last.to) === from) last.to = to;
    else this.ranges.push({ from, to });
    this.total += seqLength(from, to);
  }

  /** A packet arrived: it is no longer missing. Returns true when it was. */
  remove(seq: number): boolean {
    const i = this.indexOf(seq);
    if (i < 0) return false;
    const r = this.ranges[i]!;
    this.total--;
    if (r.from === r.to) this.ranges.splice(i, 1);
    else if (r.from === seq) r.from = seqNext(seq);
    else if (r.to === seq) r.to = seqPrev(seq);
    else {
      this.ranges.splice(i + 1, 0, { from: seqNext(seq), to: r.to });
      r.to = seqPrev(seq);
    }
    return true;
  }

  /** Forgets everything up to and including `seq` (too-late drop, drop request); returns how many. */
  removeUpTo(seq: number): number {
    let removed = 0;
    while (this.ranges.length > 0) {
      const r = this.ranges[0]!;
      if (seqOffset(r.from, seq) < 0) break;
      if (seqOffset(r.to, seq) >= 0) {
        removed += seqLength(r.from, r.to);
        this.ranges.shift();
      } else {
        removed += seqLength(r.from, seq);
        r.from = seqNext(seq);
        break;
      }
    }
    this.total -= removed;
    return removed;
  }

  /** Forgets `from..to` wherever it overlaps (a drop request in the middle of the list); returns how many. */
  removeRange(from: number, to: number): number {
    const span = seqOffset(from, to);
    if (span < 0) return 0;
    let removed = 0;
    const kept: MutableRange[] = [];
    for (const r of this.ranges) {
      const a = seqOffset(from, r.from);
      const b = seqOffset(from, r.to);
      if (b < 0 || a > span) {
        kept.push(r);
        continue;
      }
      if (a < 0) kept.push({ from: r.from, to: seqPrev(from) });
      if (b > span) kept.push({ from: seqNext(to), to: r.to });
      removed += Math.min(b, span) - Math.max(a, 0) + 1;
    }
    this.ranges.splice(0, this.ranges.length, ...kept);
    this.total -= removed;
    return removed;
  }

  /** The ranges, oldest first (read-only view for loss reports). */
  entries(): readonly LossRange[] {
    return this.ranges;
  }

  clear(): void {
    this.ranges.length = 0;
    this.total = 0;
  }

  private indexOf(seq: number): number {
    let lo = 0;
    let hi = this.ranges.length - 1;
    const head = this.ranges[0];
    if (!head) return -1;
    const at = seqOffset(head.from, seq);
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.ranges[mid]!;
      if (at < seqOffset(head.from, r.from)) hi = mid - 1;
      else if (at > seqOffset(head.from, r.to)) lo = mid + 1;
      else return mid;
    }
    return -1;
  }
}
