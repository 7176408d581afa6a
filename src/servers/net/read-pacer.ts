/** What the pacer needs of a socket: to start reading again (net.Socket.resume on an `onread` socket). */
export interface Resumable {
  resume(): unknown;
}

/**
 * Below this a merged read costs more than it saves: measured side by side (one 2.7 Mb/s stream with HLS),
 * 20 ms used more CPU than reading every arrival (a paused socket still wakes the loop once when data comes,
 * and resuming re-registers it), 50 ms about the same, 100 ms ~25-45 % less.
 */
export const MIN_MERGED_READ_MS = 50;

/**
 * Merged reads (SRS calls them "mr"): a publisher's socket, once drained, is not read again until its group's
 * timer fires, so one wake-up handles every message that arrived meanwhile instead of one each.
 *
 * Why: an encoder sends ~50-80 small messages a second, and ffmpeg writes each chunk header and body
 * separately; reading at every arrival costs a wake-up and a cold run of the ingest and packaging code per
 * message, most of a lone stream's CPU. Sockets held for the same interval share one timer, so ten streams
 * share one wake-up per tick and their reads land in the same poll.
 *
 * The cost is latency: a byte waits at most the interval in the kernel (TCP flow control holds the sender back
 * if it ever fills the receive buffer), so the caller holds a socket only as long as the stream's consumers
 * tolerate (Publisher.latencyToleranceMs) and never longer than `maxMs`. Only a drained socket is held, so a
 * burst larger than one read (a big keyframe) is read to the end at once.
 */
export class ReadPacer {
  private readonly groups = new Map<number, HoldGroup>();

  constructor(
    /** The longest hold; 0 turns merged reads off. */
    readonly maxMs: number,
  ) {}

  /**
   * After a read that emptied the socket's receive queue: holds the socket for min(toleranceMs, maxMs) when
   * that is worth it, and returns the `onread` callback's answer (false = stop reading until resumed).
   */
  afterDrainingRead(socket: Resumable, toleranceMs: number): boolean {
    const ms = Math.min(toleranceMs, this.maxMs);
    if (!(ms >= MIN_MERGED_READ_MS)) return true;
    let group = this.groups.get(ms);
    if (!group) this.groups.set(ms, (group = new HoldGroup(ms)));
    group.hold(socket);
    return false;
  }

  /** Resumes every held socket now and stops the timers (server shutdown). Idempotent. */
  close(): void {
    for (const g of this.groups.values()) g.close();
    this.groups.clear();
  }
}

/** The sockets held for one interval, released together by one timer. */
class HoldGroup {
  private held: Resumable[] = [];
  private spare: Resumable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  hold(socket: Resumable): void {
    this.held.push(socket);
    this.timer ??= setTimeout(this.release, this.intervalMs).unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.release();
  }

  private readonly release = (): void => {
    this.timer = undefined;
    // Swapped before resuming, so a socket held again while this round runs waits for the next one.
    const round = this.held;
    this.held = this.spare;
    this.spare = round;
    for (let i = 0; i < round.length; i++) round[i]!.resume();
    round.length = 0;
  };
}
