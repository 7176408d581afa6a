import { statfs } from 'node:fs/promises';

/** Free bytes available to this process on the volume holding `dir`. */
export type FreeSpaceReader = (dir: string) => Promise<number>;

export const statfsFreeBytes: FreeSpaceReader = async (dir) => {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
};

export interface DiskGuardOptions {
  readonly dir: string;
  readonly minFreeBytes: number;
  readonly intervalMs: number;
  readonly freeBytes: FreeSpaceReader;
  /** Called at every check that finds the volume below the floor. */
  readonly onLow: (freeBytes: number) => void;
  readonly onError: (err: unknown) => void;
}

/**
 * Watches the free space of the recordings volume (statfs, every `intervalMs`): below the floor, recording
 * stops before the disk fills (a full disk would also starve the database beside it). `low` answers at once
 * for a recording about to start, from the last reading.
 */
export class DiskGuard {
  private timer: NodeJS.Timeout | undefined;
  private lastFree = Infinity;
  private checking: Promise<boolean> | undefined;

  constructor(private readonly options: DiskGuardOptions) {}

  get low(): boolean {
    return this.lastFree < this.options.minFreeBytes;
  }

  get freeBytes(): number {
    return this.lastFree;
  }

  start(): void {
    if (this.timer || this.options.minFreeBytes <= 0) return;
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Reads the free space now; true when above the floor. One reading at a time. */
  check(): Promise<boolean> {
    this.checking ??= this.read().finally(() => (this.checking = undefined));
    return this.checking;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async read(): Promise<boolean> {
    if (this.options.minFreeBytes <= 0) return true;
    try {
      this.lastFree = await this.options.freeBytes(this.options.dir);
    } catch (err) {
      this.options.onError(err);
      return !this.low;
    }
    if (this.low) this.options.onLow(this.lastFree);
    return !this.low;
  }
}
