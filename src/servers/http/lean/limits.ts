/**
 * A request head the lean front parses is at most this long (request line + headers of a player: well under
 * 2 KiB); a longer one, complete or not, goes to Node's HTTP server, whose own cap (16 KiB) answers it 431.
 */
export const MAX_LEAN_HEAD_BYTES = 8 * 1024;

/**
 * A request head must be complete this long after its first byte (Node's `headersTimeout`, 60 s by default, is
 * the same guard against a client trickling a head byte by byte); past it the connection is closed.
 */
export const LEAN_HEAD_TIMEOUT_MS = 60_000;

/**
 * An answer the client reads nothing of for this long is given up and the connection closed (nginx's `send_timeout`,
 * 60 s): the keep-alive timer counts only between requests, so without it a client that stops reading for good would
 * hold its socket and its queued answer forever.
 */
export const LEAN_SEND_STALL_MS = 60_000;
