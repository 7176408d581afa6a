import { performance } from 'node:perf_hooks';
import { TURN_CLOCK_MAX_SHARES } from './limits.js';

/** Whole ms of the process's monotonic clock (performance.now()). */
export const performanceMs = (): number => Math.round(performance.now());

/**
 * The arrival clock of a hub's publishers, read once per event-loop turn for the input of that turn.
 *
 * Why: Node hands each socket read to JavaScript in its own callback, one after the other, for every socket the
 * turn's poll found ready: those reads arrived together (the loop saw them at once), so one clock reading serves
 * them all. A reading costs more than the rest of a message's health accounting (it is a cold call through Node's
 * performance object once per read, ~0.7 % of a CPU-bound server's samples against ~0.5 % for everything else
 * health does per message), and a busy server handles hundreds of reads per turn.
 *
 * `thisTurn()` takes a reading at its first call and hands the same one to the next calls until the turn's
 * setImmediate (the check phase, right after the poll that delivered the reads) drops it, or until it has served
 * TURN_CLOCK_MAX_SHARES calls, so a long turn of many reads still reads the clock every few milliseconds.
 * The contract that makes the sharing true: call `thisTurn()` only from I/O callbacks (a read's handling), never
 * from a timer or an immediate, where the next poll may wait for input after the reading was taken. `now()` is a
 * fresh reading for everything else.
 */
export class TurnClock {
  private reading = 0;
  /** Calls the reading has served; 0: none held (the turn ended). */
  private shares = 0;
  private expiryPending = false;

  constructor(
    /** Whole ms, monotonic. */
    private readonly read: () => number = performanceMs,
    private readonly maxShares: number = TURN_CLOCK_MAX_SHARES,
  ) {}

  /** A fresh reading. */
  now(): number {
    return this.read();
  }

  /** The reading this turn's input shares (taken now if it has none yet, or it has served maxShares calls). */
  thisTurn(): number {
    if (this.shares > 0 && this.shares < this.maxShares) {
      this.shares++;
      return this.reading;
    }
    this.reading = this.read();
    this.shares = 1;
    if (!this.expiryPending) {
      this.expiryPending = true;
      setImmediate(this.expire);
    }
    return this.reading;
  }

  private readonly expire = (): void => {
    this.expiryPending = false;
    this.shares = 0;
  };
}

/**
 * The arrival clock of one publish: whole ms since it started (monotonic). Whole ms since the publish stay small
 * integers (Smis) for 24 days of one publish, so passing them on allocates nothing; millisecond precision is plenty,
 * the finest threshold measured against it is 50 ms.
 */
export interface ArrivalClock {
  /** A fresh reading. */
  elapsed(): number;
  /**
   * The reading shared by the input of this event-loop turn (TurnClock.thisTurn): for the messages of a read the
   * bridge marked (`received`), handled in the I/O callback that read them.
   */
  elapsedThisTurn(): number;
}

/** Makes an ArrivalClock that starts now: one per publish (turnClocks in the server; a simulated one in tests). */
export type ClockSource = () => ArrivalClock;

/** A publish's ArrivalClock on its hub's TurnClock. */
class PublishClock implements ArrivalClock {
  private readonly start: number;

  constructor(private readonly turn: TurnClock) {
    this.start = turn.now();
  }

  elapsed(): number {
    return this.turn.now() - this.start;
  }

  elapsedThisTurn(): number {
    return this.turn.thisTurn() - this.start;
  }
}

/** The server's arrival clocks: every publish of a hub on one TurnClock (performance.now()), so they share its readings. */
export function turnClocks(turn: TurnClock = new TurnClock()): ClockSource {
  return () => new PublishClock(turn);
}
