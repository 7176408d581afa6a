import type { ReceiverStats } from './receiver/receiver-stats.js';
import type { SenderStats } from './sender/sender-stats.js';

/**
 * One connection's health, as a plain object (what the stream's health view and the logs read).
 * Counters are totals since the connection started; rates are over the last second.
 */
export interface SrtConnectionStats {
  readonly role: 'receiver' | 'sender';
  readonly rttMs: number;
  readonly rttVarMs: number;
  /** The TSBPD latency applied to this direction (ms). */
  readonly latencyMs: number;
  readonly encrypted: boolean;
  /** Stream keys changed after the handshake (even/odd refresh), in either direction. */
  readonly keyRefreshes: number;
  readonly receive: SrtReceiveStats | null;
  readonly send: SrtSendStats | null;
}

export interface SrtReceiveStats {
  readonly packets: number;
  readonly bytes: number;
  readonly bitrateBps: number;
  /** Packets seen missing (each once). */
  readonly lost: number;
  /** lost / (originals expected), 0..1. */
  readonly lossRate: number;
  readonly retransmittedReceived: number;
  readonly recovered: number;
  readonly reordered: number;
  /** Too-late drops (and drops the sender asked for): packets the stream never got. */
  readonly dropped: number;
  readonly belated: number;
  readonly duplicates: number;
  /** Beyond the receive window (a sender ignoring our flow window). */
  readonly overflow: number;
  readonly undecryptable: number;
  /** Packets in the receive buffer now (received or awaited), and the play-time span they cover (ms). */
  readonly bufferPackets: number;
  readonly bufferMs: number;
  readonly naksSent: number;
  readonly acksSent: number;
}

export interface SrtSendStats {
  readonly packets: number;
  readonly bytes: number;
  readonly retransmitted: number;
  readonly dropped: number;
  readonly naksReceived: number;
  readonly dropRequestsSent: number;
  readonly bufferPackets: number;
  readonly bufferDelayMs: number;
  readonly pacingBps: number;
}

export function receiveStats(s: ReceiverStats, bufferPackets: number, bufferSpanUs: number): SrtReceiveStats {
  const originals = s.packets - s.retransmittedReceived - s.duplicates;
  return {
    packets: s.packets, bytes: s.bytes, bitrateBps: s.bytesPerSecond * 8, lost: s.lost,
    lossRate: s.lost === 0 ? 0 : s.lost / Math.max(1, originals + s.lost - s.reordered),
    retransmittedReceived: s.retransmittedReceived, recovered: s.recoveredByRetransmit, reordered: s.reordered,
    dropped: s.dropped, belated: s.belated, duplicates: s.duplicates, overflow: s.overflow, undecryptable: s.undecryptable,
    bufferPackets, bufferMs: Math.round(bufferSpanUs / 1000), naksSent: s.naksSent, acksSent: s.acksSent,
  };
}

export function sendStats(s: SenderStats, bufferPackets: number, bufferDelayUs: number): SrtSendStats {
  return {
    packets: s.sent, bytes: s.bytesSent, retransmitted: s.retransmitted, dropped: s.dropped, naksReceived: s.naksReceived,
    dropRequestsSent: s.dropRequestsSent, bufferPackets, bufferDelayMs: Math.round(bufferDelayUs / 1000), pacingBps: s.pacingBytesPerSecond * 8,
  };
}
