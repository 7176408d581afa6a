import type { Logger } from '../../core/logger.js';
import type { Peer } from '../../protocols/srt/index.js';
import { HOSTILE_LOG_INTERVAL_MS } from './limits.js';

/**
 * Counts what the listener throws away (garbage, bad cookies, packets for unknown sockets) and logs each
 * kind at most once per interval, with how many were suppressed: a flood costs a counter, not a log line each.
 */
export class HostileInputLog {
  readonly counts: Record<string, number> = {};
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly log: Logger) {}

  note(kind: string, peer: Peer, reason: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    const now = Date.now();
    const last = this.lastLogged.get(kind);
    if (last && now - last.at < HOSTILE_LOG_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    this.lastLogged.set(kind, { at: now, suppressed: 0 });
    this.log.warn({ kind, remote: peer.address, reason, suppressed: last?.suppressed ?? 0 }, 'srt datagram dropped');
  }
}
