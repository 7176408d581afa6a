/**
 * Limits of the RTMP transport layer (handshake, chunk stream). Each value says why it is what it is;
 * the server passes its config over the defaults where a field exists.
 */

/**
 * A peer that has not finished the handshake after 5 s is dropped by the server (this layer is sans-IO
 * and keeps no timers). GStreamer's own `timeout` is 5 s too, so a real client never needs longer.
 */
export const HANDSHAKE_TIMEOUT_MS = 5000;

/** Chunk size every RTMP connection starts with in both directions (spec 5.4.1). */
export const RTMP_INITIAL_CHUNK_SIZE = 128;

/**
 * Smallest and largest Set Chunk Size we accept from a peer. The spec allows up to 0x7FFFFFFF, but no
 * client we know sends more than 65536 (OBS 4096, ffmpeg echoes ours) and a huge chunk size only lets a
 * peer make us hold one giant chunk; 0 would never advance (spec 5.4.1: "minimum valid value is 1").
 */
export const MIN_CHUNK_SIZE = 1;
export const MAX_CHUNK_SIZE = 65536;

/** Chunk size we write by default: what OBS and nginx-rtmp use; fewer headers per video frame than 128. */
export const DEFAULT_WRITE_CHUNK_SIZE = 4096;

/**
 * Largest message a peer may declare (24-bit length allows 16 MiB). 8 MiB holds a 4K intra frame at a
 * high bitrate with room to spare; anything larger is refused before a byte is allocated.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 8 * 1024 * 1024;

/**
 * Chunk streams one peer may open at once. Real clients use 2-8 (ffmpeg 2,3,4,6,8; rtmp2sink 4/5/6);
 * each one costs a state object, so 65536 of them would be a cheap memory attack.
 */
export const DEFAULT_MAX_CHUNK_STREAMS = 64;

/**
 * Total bytes of partially received messages across all chunk streams of one connection. Without it
 * 64 chunk streams x 8 MiB = 512 MiB could be reserved by a peer sending one chunk on each.
 */
export const DEFAULT_MAX_PARTIAL_BYTES = 16 * 1024 * 1024;
