/** Limits and tunables of the transcoding engine, each with the reason for its value. */

/** First restart after a crash: quick enough that viewers of a rendition barely notice a one-off crash. */
export const RESTART_BACKOFF_INITIAL_MS = 1_000;
/** Longest wait between restarts: a crash loop costs at most one ffmpeg start every 30 s. */
export const RESTART_BACKOFF_MAX_MS = 30_000;
/** A run this long without a crash resets the backoff: the next crash is a new incident, not a loop. */
export const RESTART_STABLE_MS = 30_000;

/** After stdin closes, ffmpeg flushes its encoders; it gets this long before SIGTERM... */
export const STOP_GRACE_MS = 2_000;
/** ...and this long after SIGTERM before SIGKILL: no child outlives its owner. */
export const STOP_KILL_MS = 2_000;

/** ffmpeg's -progress report period (s): often enough to see a slowdown within a few seconds. */
export const PROGRESS_PERIOD_SEC = 1;
/** Encode speed is judged over this window (ms): long enough to ride out a GOP burst or a GC pause. */
export const SPEED_WINDOW_MS = 10_000;
/** Ignore the first seconds of a run: the GOP-cache burst and encoder start-up skew the rate. */
export const SPEED_WARMUP_MS = 5_000;
/**
 * Below this the run is "slower than real time". A source fed at wall-clock pace can never measure above
 * ~1.0, so the margin under 1.0 absorbs jitter of the input pace instead of degrading healthy streams.
 */
export const SLOW_SPEED_THRESHOLD = 0.9;

/** ffmpeg stderr lines logged per stream per minute; the rest are counted (a broken input can print per frame). */
export const STDERR_LINES_PER_MINUTE = 30;
/** Longest stderr or progress line kept: ffmpeg lines are short; this bounds a garbage stream's cost. */
export const MAX_LINE_LENGTH = 4096;

/**
 * Version probe timeout: a hung binary must not hold startup for long. `ffmpeg -version` answers in well under a
 * second on an idle machine, but the bound is wall time while the whole machine (and this process) may be busy
 * starting: at a load of ~20 on two cores a configured wrapper script missed a 5 s bound and the next candidate
 * (another ffmpeg) was used instead. A working binary must not be passed over because the machine was busy.
 */
export const VERSION_PROBE_TIMEOUT_MS = 20_000;

/** Auto budget: megapixels/s one core encodes in real time with libx264 veryfast (720p30 is 27.6 Mpx/s). */
export const AUTO_BUDGET_MPX_PER_CORE = 20;
/** Decoding the source costs roughly this fraction of encoding the same pixels (H.264 decode vs veryfast). */
export const DECODE_COST_FACTOR = 0.25;

/** Cap of the encoder GOP when the source sends no keyframe: renditions still get one every this many s. */
export const MAX_GOP_SEC = 10;
