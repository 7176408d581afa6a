import type { MediaPacket } from '../../core/media-packet.js';
import { START_HOLD_MAX_BYTES, START_HOLD_MAX_MS } from './limits.js';

/**
 * Holds the first frames of an ingest until each expected track is ready (its config, or for MP3 its
 * first frame), then lets everything through in arrival order. Bounded by START_HOLD_MAX_MS of media and
 * START_HOLD_MAX_BYTES: a track the PMT announces but that never comes does not stall the stream.
 */
export class StartGate {
  private readonly waiting = new Set<number>();
  private held: MediaPacket[] = [];
  private heldBytes = 0;
  private open = false;

  /** The tracks (PIDs) to wait for; called with each PMT until the gate opens. */
  expect(pids: Iterable<number>): void {
    if (this.open) return;
    this.waiting.clear();
    for (const pid of pids) this.waiting.add(pid);
  }

  /** The track can be decoded from here on. Returns the frames released if this opened the gate. */
  ready(pid: number): readonly MediaPacket[] {
    if (this.open || !this.waiting.delete(pid) || this.waiting.size > 0) return [];
    return this.release();
  }

  /** A frame to publish: returned at once when the gate is open, else held (and released when a bound is hit). */
  pass(p: MediaPacket): readonly MediaPacket[] {
    if (this.open) return [p];
    this.held.push(p);
    this.heldBytes += p.data.length;
    const spanMs = p.dts - this.held[0]!.dts;
    return spanMs > START_HOLD_MAX_MS || this.heldBytes > START_HOLD_MAX_BYTES ? this.release() : [];
  }

  /** Opens the gate (end of input, bound reached): everything held, in order. */
  release(): readonly MediaPacket[] {
    this.open = true;
    const out = this.held;
    this.held = [];
    this.heldBytes = 0;
    return out;
  }
}
