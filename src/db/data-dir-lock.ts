import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { OnAirError } from '../core/errors.js';

/**
 * One process per embedded database: PGlite has no lock of its own, and two processes writing one data
 * directory corrupt it. The lock is a file holding the owner's pid, created exclusively; a lock whose process
 * is gone (a crash) is taken over.
 */
export class DataDirLock {
  private released = false;

  private constructor(readonly path: string) {}

  /** Takes the lock at `path` or throws ONAIR_ERR_CONFLICT naming the process that holds it. */
  static acquire(path: string, what: string): DataDirLock {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new DataDirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readOwner(path);
      if (owner !== undefined && isAlive(owner)) {
        throw inUse(what, owner, path);
      }
      rmSync(path, { force: true }); // its process is gone: a stale lock from a crash
    }
    throw new OnAirError('ONAIR_ERR_CONFLICT', `${what}: could not take the lock file ${path}`);
  }

  /** Throws like `acquire` when a live process holds `path`, without taking it (a check before start-up). */
  static assertFree(path: string, what: string): void {
    const owner = readOwner(path);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw inUse(what, owner, path);
  }

  /** Idempotent; removes the file only while it still names this process. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readOwner(this.path) === process.pid) rmSync(this.path, { force: true });
  }
}

function inUse(what: string, owner: number, path: string): OnAirError {
  return new OnAirError('ONAIR_ERR_CONFLICT',
    `${what} is in use by another OnAir process (pid ${owner}): stop it first, or use another --data-dir (lock file ${path}; delete it only if no process ${owner} is running)`);
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}
