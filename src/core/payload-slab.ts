/**
 * Carves buffers for media payloads out of larger blocks, as Node's own pool does for buffers under 4 KiB.
 *
 * Why: a 2.7 Mb/s publisher's video frames are ~10 KiB each, over Node's pool limit, so each one assembled with
 * Buffer.allocUnsafe got a backing store of its own: a malloc, an ArrayBuffer and its external-memory bookkeeping
 * 30 times a second per stream (the largest single item of a lone stream's JavaScript profile, bench/fixed-cost.ts).
 * From a 64 KiB block about six frames share one.
 *
 * Memory: a block lives as long as any buffer carved from it. One publisher's frames are carved in arrival order
 * and dropped in arrival order (GOP cache, HLS window), so at most the block being filled is held beyond what the
 * frames themselves need, plus the unused tail of a block (under `maxCarve`) when a frame did not fit. Buffers
 * larger than `maxCarve` (keyframes) get their own backing store as before. The bytes are not zeroed: the caller
 * writes every byte before it reads any (as with Buffer.allocUnsafe).
 */
export class PayloadSlab {
  private block: Buffer | undefined;
  private used = 0;

  constructor(
    /**
     * Under glibc's mmap threshold (128 KiB): a block comes from malloc's arenas, memory already mapped, where a
     * 128 KiB block was an mmap of its own and its first copy paid a page fault per 4 KiB (measured: the copy's share
     * of the profile rose as much as the allocation's fell).
     */
    readonly blockSize = 64 * 1024,
    /** Larger requests are allocated on their own. */
    readonly maxCarve = blockSize >>> 2,
  ) {}

  alloc(size: number): Buffer {
    if (size > this.maxCarve) return Buffer.allocUnsafeSlow(size);
    let block = this.block;
    if (block === undefined || this.used + size > block.length) {
      this.block = block = Buffer.allocUnsafeSlow(this.blockSize);
      this.used = 0;
    }
    const start = this.used;
    // 8-byte aligned starts, as Node's pool keeps them (typed-array views over a payload need no copy).
    this.used = (start + size + 7) & ~7;
    return block.subarray(start, start + size);
  }
}
