/** Counters of one sending connection (libsrt SRT_TRACEBSTATS, sender side). */
export class SenderStats {
  /** Packets sent for the first time. */
  sent = 0;
  bytesSent = 0;
  retransmitted = 0;
  acked = 0;
  /** Dropped unacknowledged after the too-late horizon. */
  dropped = 0;
  /** Refused because the send buffer was full. */
  rejectedFull = 0;
  naksReceived = 0;
  dropRequestsSent = 0;
  /** The pacing rate in force (bytes/s): input rate + 25 %, at least the floor. */
  pacingBytesPerSecond = 0;
}
