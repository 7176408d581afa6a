/** Rates are measured over one-second windows. */
const RATE_WINDOW_US = 1_000_000;

/** Counters of one receiving connection (libsrt SRT_TRACEBSTATS, receiver side). */
export class ReceiverStats {
  packets = 0;
  bytes = 0;
  /** Packets found missing when a later one arrived (each counted once). */
  lost = 0;
  /** Retransmitted packets received (R flag), including duplicates. */
  retransmittedReceived = 0;
  /** Holes filled by a retransmission. */
  recoveredByRetransmit = 0;
  /** Holes filled by a late original (reordering on the path). */
  reordered = 0;
  /** Given up when their play time passed (too-late drop), or dropped by the sender's request. */
  dropped = 0;
  /** Arrived after their slot was handed on or dropped. */
  belated = 0;
  duplicates = 0;
  /** Beyond the receive window (a sender ignoring our flow window). */
  overflow = 0;
  /** Payloads handed on in order. */
  delivered = 0;
  /** Packets that could not be decrypted (no key for their KK flag). */
  undecryptable = 0;
  acksSent = 0;
  lightAcksSent = 0;
  naksSent = 0;
  packetsPerSecond = 0;
  bytesPerSecond = 0;
  private windowStart = -1;
  private windowPackets = 0;
  private windowBytes = 0;

  onPacket(bytes: number, now: number): void {
    this.packets++;
    this.bytes += bytes;
    this.windowPackets++;
    this.windowBytes += bytes;
    if (this.windowStart < 0) this.windowStart = now;
  }

  sample(now: number): void {
    if (this.windowStart < 0 || now - this.windowStart < RATE_WINDOW_US) return;
    const secs = (now - this.windowStart) / 1_000_000;
    this.packetsPerSecond = Math.round(this.windowPackets / secs);
    this.bytesPerSecond = Math.round(this.windowBytes / secs);
    this.windowStart = now;
    this.windowPackets = 0;
    this.windowBytes = 0;
  }
}
