import type { HealthState } from '../../hub/health/index.js';

export interface StableChange {
  readonly state: HealthState;
  readonly previous: HealthState;
}

/**
 * Hysteresis over a stream's evaluated states: a new state becomes the stable one only after it has held for
 * `holdMs`, so a state that flaps faster than that is never announced. The first state seen is the baseline.
 */
export class StableState {
  private stable: HealthState | undefined;
  private candidate: HealthState | undefined;
  private candidateSince = 0;

  constructor(private readonly holdMs: number) {}

  get current(): HealthState | undefined {
    return this.stable;
  }

  /** Feeds one evaluation; returns the change when the stable state moves. */
  update(state: HealthState, nowMs: number): StableChange | undefined {
    if (this.stable === undefined) {
      this.stable = state;
      this.candidate = undefined;
      return undefined;
    }
    if (state === this.stable) {
      this.candidate = undefined;
      return undefined;
    }
    if (state !== this.candidate) {
      this.candidate = state;
      this.candidateSince = nowMs;
    }
    if (nowMs - this.candidateSince < this.holdMs) return undefined;
    const previous = this.stable;
    this.stable = state;
    this.candidate = undefined;
    return { state, previous };
  }

  /** Forget everything (the publisher left: the next publish sets a new baseline). */
  reset(): void {
    this.stable = undefined;
    this.candidate = undefined;
  }
}
