import { INITIAL_RTT_US, INITIAL_RTTVAR_US } from './limits.js';

/** Smoothed RTT and its variation (RFC 6298 weights, as libsrt: srtt 7/8, rttvar 3/4). Microseconds. */
export class RttEstimator {
  rttUs = INITIAL_RTT_US;
  rttVarUs = INITIAL_RTTVAR_US;
  private sampled = false;

  sample(rttUs: number): void {
    if (!(rttUs >= 0) || rttUs > 60_000_000) return;
    if (!this.sampled) {
      this.sampled = true;
      this.rttUs = rttUs;
      this.rttVarUs = rttUs / 2;
      return;
    }
    this.rttVarUs = (3 * this.rttVarUs + Math.abs(this.rttUs - rttUs)) / 4;
    this.rttUs = (7 * this.rttUs + rttUs) / 8;
  }

  /** A peer's report (the RTT field of an ACK we received as a sender). */
  adopt(rttUs: number, rttVarUs: number): void {
    if (!(rttUs > 0) || rttUs > 60_000_000) return;
    this.sampled = true;
    this.rttUs = rttUs;
    this.rttVarUs = Math.max(0, Math.min(rttVarUs, 60_000_000));
  }
}
