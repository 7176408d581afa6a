/**
 * Limits and protocol constants of the SRT layer, each with the reason for its value. Times are in
 * microseconds (the unit of SRT's wire timestamps) unless the name says otherwise.
 */

/** Every SRT packet starts with a 16-byte header (draft-sharabayko-srt 3). */
export const SRT_HEADER_SIZE = 16;

/** IPv4 (20) + UDP (8): what libsrt subtracts from the MSS to size a payload. */
export const UDP_IP_OVERHEAD = 28;

/**
 * Largest datagram we read or write. libsrt's MSS is at most 1500 (Ethernet MTU); 1500 - 28 - 16 = 1456
 * payload bytes. Anything larger did not come from an SRT peer.
 */
export const MAX_MSS = 1500;
export const MAX_PAYLOAD_SIZE = MAX_MSS - UDP_IP_OVERHEAD - SRT_HEADER_SIZE;

/** Smallest MSS a peer may declare: libsrt refuses below 76 (SRTO_MSS minimum). */
export const MIN_MSS = 76;

/** 7 MPEG-TS packets: what ffmpeg, OBS and srt-live-transmit put in one live packet (SRTO_PAYLOADSIZE). */
export const LIVE_PAYLOAD_SIZE = 1316;

/** Sequence numbers are 31 bits (the top bit of word 0 is the control flag). */
export const SEQ_MODULUS = 0x8000_0000;
export const SEQ_MAX = SEQ_MODULUS - 1;

/** Message numbers are 26 bits and start at 1 (libsrt MsgNo). */
export const MSGNO_MAX = 0x03ff_ffff;

/** Timestamps are 32-bit microseconds: they wrap every ~71.6 minutes. */
export const TIMESTAMP_MODULUS = 0x1_0000_0000;

/** The SRT "SYN" interval: full ACKs every 10 ms (libsrt COMM_SYN_INTERVAL_US). */
export const SYN_INTERVAL_US = 10_000;

/** A light ACK every 64 packets between full ACKs (libsrt SELF_CLOCK_INTERVAL). */
export const LIGHT_ACK_PACKETS = 64;

/** Periodic NAK: every (RTT + 4 RTTVar) / 2, never more often than 20 ms (libsrt LiveCC). */
export const MIN_NAK_INTERVAL_US = 20_000;

/** RTT before any sample: 100 ms, RTTVar 50 ms (libsrt INITIAL_RTT / INITIAL_RTTVAR). */
export const INITIAL_RTT_US = 100_000;
export const INITIAL_RTTVAR_US = 50_000;

/** Keepalive when nothing else was sent for 1 s (libsrt COMM_KEEPALIVE_PERIOD_US). */
export const KEEPALIVE_INTERVAL_US = 1_000_000;

/** A peer silent this long is gone (libsrt SRTO_PEERIDLETIMEO default 5 s). */
export const DEFAULT_PEER_IDLE_TIMEOUT_US = 5_000_000;

/** libsrt's default receiver latency in live mode (SRTO_RCVLATENCY). */
export const DEFAULT_LATENCY_MS = 120;

/** Latency fields are 16 bits of milliseconds; libsrt documents 20..8000 for sane use. */
export const MAX_LATENCY_MS = 0xffff;

/**
 * Receive buffer in packets. libsrt's default is 8192 (SRTO_RCVBUF 8192 x 1456 ~ 12 MB); it bounds the
 * memory one connection may hold (8192 x 1500 B = 12 MB) and is what we advertise as flow window.
 * At 20 Mb/s and 1316-byte payloads that is 4.3 s of media, far beyond any sane latency.
 */
export const RECEIVE_BUFFER_PACKETS = 8192;

/** Send buffer in packets for playback; the sender drops too-late packets long before this fills. */
export const SEND_BUFFER_PACKETS = 8192;

/**
 * A sender keeps a packet for retransmission until max(peer latency, 1 s) + 20 ms has passed since it
 * was queued, then drops it (libsrt SRT_TLPKTDROP_MINTHRESHOLD_MS and 2 SYN intervals).
 */
export const SENDER_DROP_MIN_US = 1_000_000;

/** Live congestion control paces at the input rate plus 25 % overhead (libsrt SRTO_OHEADBW default). */
export const PACING_OVERHEAD = 1.25;

/**
 * Pacing floor (bytes/s): below ~1 Mb/s of input the sender is not limited; the floor keeps a quiet
 * stream (audio only, a still picture) from queueing a keyframe behind a tiny measured rate.
 */
export const MIN_PACING_RATE_BYTES = 250_000;

/** Stream ID extension: at most 512 bytes (libsrt MAX_SID_LENGTH). */
export const MAX_STREAM_ID_LENGTH = 512;

/** Handshake extension blocks we walk before calling the handshake hostile (libsrt has 8 kinds). */
export const MAX_HANDSHAKE_EXTENSIONS = 16;

/** Loss-report entries we accept in one NAK (a NAK fits in one MSS: 1456 / 4). */
export const MAX_LOSS_ENTRIES = 364;

/** Passphrase lengths libsrt accepts (SRTO_PASSPHRASE: 10..79 characters). */
export const MIN_PASSPHRASE_LENGTH = 10;
export const MAX_PASSPHRASE_LENGTH = 79;

/** Key refresh after 2^24 packets, pre-announced 2^12 packets earlier (libsrt KMREFRESHRATE/KMPREANNOUNCE). */
export const DEFAULT_KM_REFRESH_PACKETS = 0x100_0000;
export const DEFAULT_KM_PREANNOUNCE_PACKETS = 0x1000;

/** A refresh KMREQ is repeated every 1.5 SRTT (at least 10 ms) until answered, at most 10 times (libsrt). */
export const KM_RETRY_MIN_US = 10_000;
export const KM_RETRIES = 10;
