import type { Finding } from './health-checks.js';
import type { HealthReason, HealthReasonCode, HealthState } from './health-types.js';

const SEVERITY_ORDER = { critical: 0, warning: 1 } as const;
/** The reasons of every healthy evaluation: one shared, frozen empty list. */
const NO_REASONS: readonly HealthReason[] = Object.freeze([]);

/**
 * Turns each evaluation's findings into a state and reasons that remember when they began: a reason keeps its
 * `since` while it is found in consecutive evaluations, and the state its `since` while it holds.
 */
export class HealthEvaluator {
  private readonly reasonSince = new Map<HealthReasonCode, number>();
  private current: HealthState = 'offline';
  private currentSince = 0;
  private currentReasons: readonly HealthReason[] = NO_REASONS;

  /** Epoch ms the current state began, and the reasons of the latest judgement. */
  get since(): number {
    return this.currentSince;
  }

  get reasons(): readonly HealthReason[] {
    return this.currentReasons;
  }

  /** The state the findings make; `since` and `reasons` are read from this evaluator (no result object made). */
  judge(findings: readonly Finding[], wallNow: number): HealthState {
    // A healthy stream (the usual case, every second) allocates nothing here.
    if (findings.length === 0) {
      // Map.clear allocates a fresh table even when empty: a healthy stream's map is already empty.
      if (this.reasonSince.size > 0) this.reasonSince.clear();
      this.currentReasons = NO_REASONS;
      return this.enter('healthy', wallNow);
    }
    const reasons = findings.map((f): HealthReason => {
      let since = this.reasonSince.get(f.code);
      if (since === undefined) this.reasonSince.set(f.code, (since = wallNow));
      return { ...f, since };
    });
    for (const code of this.reasonSince.keys()) if (!findings.some((f) => f.code === code)) this.reasonSince.delete(code);
    reasons.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.since - b.since);
    this.currentReasons = reasons;
    return this.enter(reasons[0]!.severity, wallNow);
  }

  /** The publisher left: offline, and every reason is forgotten (a new publish starts clean). */
  offline(wallNow: number): HealthState {
    if (this.reasonSince.size > 0) this.reasonSince.clear();
    this.currentReasons = NO_REASONS;
    return this.enter('offline', wallNow);
  }

  private enter(state: HealthState, wallNow: number): HealthState {
    if (state !== this.current) {
      this.current = state;
      this.currentSince = wallNow;
    }
    return state;
  }
}
