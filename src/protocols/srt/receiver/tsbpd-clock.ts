import { TIMESTAMP_MODULUS } from '../limits.js';

/** libsrt's TSBPD wrap check window: 30 s either side of the 32-bit timestamp wrap (TSBPD_WRAP_PERIOD). */
const WRAP_PERIOD_US = 30_000_000;
/** Drift is averaged over 1000 ACKACK samples and the time base moves by at most 5 ms per average. */
const DRIFT_SAMPLES = 1000;
const MAX_DRIFT_US = 5_000;

/**
 * Timestamp-based packet delivery time (libsrt tsbpd_time.cpp): a packet with sender timestamp `ts` plays
 * at base + ts + latency + drift, where base is our clock minus the sender's when the handshake arrived.
 * Timestamps are 32-bit microseconds: within 30 s of the wrap, small values are read as the next period.
 * Drift: ACKACK arrival against its timestamp, averaged; beyond 5 ms the base absorbs it, so a sender
 * whose clock runs fast or slow neither grows nor drains our buffer over hours.
 */
export class TsbpdClock {
  private baseUs: number;
  private wrapCheck = false;
  private driftUs = 0;
  private driftSum = 0;
  private driftSpan = 0;
  private firstRttUs = -1;

  constructor(localNowUs: number, peerTimestampUs: number, readonly latencyUs: number) {
    this.baseUs = localNowUs - peerTimestampUs;
  }

  get drift(): number {
    return this.driftUs;
  }

  /** Local time at which a packet with this timestamp is due. */
  playTime(ts: number): number {
    return this.baseFor(ts) + ts + this.latencyUs + this.driftUs;
  }

  /** Called for every packet in arrival order: enters and leaves the wrap window. */
  observe(ts: number): void {
    if (!this.wrapCheck) {
      if (ts > TIMESTAMP_MODULUS - WRAP_PERIOD_US) this.wrapCheck = true;
      return;
    }
    if (ts >= WRAP_PERIOD_US && ts <= 2 * WRAP_PERIOD_US) {
      this.wrapCheck = false;
      this.baseUs += TIMESTAMP_MODULUS;
    }
  }

  addDriftSample(ts: number, arrivalUs: number, rttUs: number): void {
    if (this.firstRttUs < 0) this.firstRttUs = rttUs;
    const sample = arrivalUs - (this.baseFor(ts) + ts) - (rttUs - this.firstRttUs) / 2;
    this.driftSum += sample;
    if (++this.driftSpan < DRIFT_SAMPLES) return;
    this.driftUs = this.driftSum / this.driftSpan;
    this.driftSum = 0;
    this.driftSpan = 0;
    if (Math.abs(this.driftUs) > MAX_DRIFT_US) {
      const over = Math.sign(this.driftUs) * MAX_DRIFT_US;
      this.baseUs += over;
      this.driftUs -= over;
    }
  }

  private baseFor(ts: number): number {
    return this.wrapCheck && ts <= 2 * WRAP_PERIOD_US ? this.baseUs + TIMESTAMP_MODULUS : this.baseUs;
  }
}
