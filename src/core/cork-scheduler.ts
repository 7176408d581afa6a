import type { Writable } from 'node:stream';

/**
 * Coalesces every write a socket gets during one event-loop turn into one writev: the first write corks the
 * socket, and a single setImmediate (shared by all sockets) uncorks them all. A publisher read that carries
 * audio and video, or a GOP replayed to a new player, then costs each player one syscall instead of one per
 * message, with no added latency beyond the current turn.
 */
export class CorkScheduler {
  private readonly corked = new Set<Writable>();
  private scheduled = false;

  /** Call before writing to `w` in this turn. */
  cork(w: Writable): void {
    if (this.corked.has(w)) return;
    w.cork();
    this.corked.add(w);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    for (const w of this.corked) {
      if (!w.destroyed) w.uncork();
    }
    this.corked.clear();
  };
}
