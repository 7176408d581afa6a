/**
 * Named limits of the HLS library (segmenter, window, playlists, blocking reload); each says why.
 * Configurable values live in src/config/schema.ts.
 */

/** Video is 90 kHz (MPEG-TS's clock, and exact for every common frame rate's ms-rounded stamps). */
export const VIDEO_TIMESCALE = 90_000;

/**
 * A stream that sends no keyframe for this long still gets its segment cut (not independent), so one
 * segment, and the window's memory, stays bounded. 20 s is far above any sane GOP (OBS caps at 10 s).
 */
export const MAX_SEGMENT_MS = 20_000;

/**
 * Bytes of media the window may hold per stream; older segments go first (at least 2 stay). 20 Mb/s
 * (a high 4K ingest) for 12 x 2 s segments is 60 MB; 128 MiB leaves room and stops a runaway publisher.
 */
export const MAX_WINDOW_BYTES = 128 * 1024 * 1024;

/** Parts per segment: a 20 s forced segment of 100 ms parts is 200; a cap keeps playlist lines bounded. */
export const MAX_PARTS_PER_SEGMENT = 256;

/** Blocking requests parked on one stream at once; more get 503 (a flood must not grow a waiter list). */
export const MAX_BLOCKED_REQUESTS = 10_000;
/**
 * Of those, at most this many are new viewers' first playlists held for a keyframe start (--hls-keyframe-start-ms):
 * a burst of joins (or of clients that only ever ask once) cannot take the slots the blocking reloads of viewers
 * already watching need; a join past it is answered at once (it starts where it would without the hold).
 */
export const MAX_KEYFRAME_HOLDS = MAX_BLOCKED_REQUESTS / 2;

/**
 * Before the first keyframe, how long (ms of audio) to wait for a video config announced by onMetaData
 * before deciding the stream is audio-only.
 */
export const TRACK_DECISION_MS = 1_000;

/**
 * PART-HOLD-BACK = this many part targets by default (rfc8216bis §4.4.3.8: MUST >= 2, SHOULD >= 3); the setting
 * (RenditionSettings.partHoldBackParts) is kept within MIN_PART_HOLD_BACK_PARTS..
 */
export const PART_HOLD_BACK_PARTS = 3;
export const MIN_PART_HOLD_BACK_PARTS = 2;

/**
 * A first playlist held for a keyframe start (HlsRendition.startsOnKeyframe) is answered once the keyframe part starts
 * at least this far past PART-HOLD-BACK behind the edge: part durations are listed rounded and a player sums them as
 * floats, and a start point a hair before the keyframe part falls in the previous segment (a whole GOP to decode).
 */
export const KEYFRAME_START_MARGIN_MS = 1;

/** EXT-X-PART tags are listed for segments within this many target durations of the live edge
 *  (rfc8216bis §4.4.4.9: parts older than that SHOULD be removed from the playlist). */
export const PART_LIST_TARGET_DURATIONS = 3;

/** CAN-SKIP-UNTIL = this many target durations (rfc8216bis §4.4.3.8: MUST be >= 6). */
export const SKIP_TARGET_DURATIONS = 6;

/** Blocking reload: held longer than this many target durations gets 503 (rfc8216bis §6.2.5.2). */
export const BLOCK_TIMEOUT_TARGET_DURATIONS = 3;

/**
 * A publisher absence shorter than this is not written as EXT-X-GAP segments: the new session's dates continue
 * the old ones (off by at most this much). Shorter than a part; longer than the merged-read hold of a frame.
 */
export const MIN_GAP_MS = 150;

/**
 * The most EXT-X-GAP segments one publisher absence is written as (absence-gaps.ts); they are listed beside the
 * window's media segments, not in place of them (media-window.ts). An absence must be filled back to where a player
 * stands, however long the window is, or hls.js (1.7) parks before the new playlist's start for good; a gap holds no
 * media, only a playlist line (~100 bytes) and a small record, so this bounds the playlist and memory, not the media.
 * 300 covers the default reconnect window (60 s) at segments down to 200 ms, and 5 minutes at 1 s segments; a
 * longer absence is not filled (README: what a player sees).
 */
export const MAX_ABSENCE_GAPS = 300;

/**
 * A live rendition (LL-HLS or classic) is offered to players (master and first media playlist) once this many
 * segments are complete, or READY_LISTED_MS of media for long GOPs: Shaka Player's caption probe at load needs three
 * complete segments or it probes the open segment (no URI yet) and fails, and GStreamer 1.22 stalls on a first
 * playlist of one segment (see HlsRendition.hasSegments). 3 s at start with the default 1 s segments, 8 s with
 * `standard`'s 4 s segments (two reach READY_LISTED_MS); a player that connects meanwhile waits (FIRST_SEGMENT_WAIT_MS).
 */
export const READY_SEGMENTS = 3;
export const READY_LISTED_MS = 6_000;

/** Audio stamps this many frames behind the packager's audio clock are dropped (the clock ran ahead);
 *  a couple of frames covers ms rounding and FLV interleaving jitter. */
export const AUDIO_BEHIND_FRAMES = 2;

/**
 * The widest PART-TARGET (part-target.ts fits a smaller one to the stream's frame cadence, 0.21 s at 24-60 fps) is
 * this much above the cutting target: parts are cut within half a frame of the target
 * (segmenter partFull), up to 230 ms for 200 ms at >= 17 fps, and rfc8216bis §4.4.4.9 wants every non-final part
 * >= 85 % of PART-TARGET: 200 / 230 = 87 %. (0.2 gave PART-TARGET 0.24, under which 200 ms parts were 83 %.)
 */
export const PART_TARGET_HEADROOM = 0.15;

/**
 * How far an ABR rendition's segment start, mapped onto the source timeline by the transcoder's offset, may
 * be from a source segment start and still take its PDT. The offset is off by the encoder's start shift
 * (AAC priming ~21 ms, source B-frame pts delay ~100 ms); keyframes are at least several hundred ms apart.
 */
export const PDT_SNAP_MS = 250;
