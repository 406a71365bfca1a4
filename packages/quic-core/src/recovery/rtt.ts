/**
 * Round-trip time estimation (RFC 9002 §5): latest_rtt, min_rtt, smoothed_rtt and rttvar of one
 * path, fed with RTT samples and the peer's reported acknowledgment delay.
 * @module
 */
import { GRANULARITY, INITIAL_RTT } from './constants.ts';

export class RttEstimator {
  /** The most recent RTT sample, 0 before the first one. */
  latest = 0;
  /** Minimum RTT over the samples seen, ignoring ack delay; 0 before the first sample. */
  min = 0;
  /** Exponentially weighted moving average of the adjusted samples. */
  smoothed: number;
  /** Mean deviation of the adjusted samples. */
  rttvar: number;
  /** Time of the first sample, or -1 before it (RFC 9002 Appendix A.3 first_rtt_sample). */
  firstSampleTime = -1;
  readonly #initialRtt: number;

  constructor(initialRtt: number = INITIAL_RTT) {
    if (!(initialRtt > 0) || !Number.isFinite(initialRtt)) throw new RangeError(`initial RTT must be positive, got ${initialRtt}`);
    this.#initialRtt = initialRtt;
    this.smoothed = initialRtt;
    this.rttvar = initialRtt / 2;
  }

  get hasSample(): boolean {
    return this.firstSampleTime >= 0;
  }

  /**
   * Takes one RTT sample. `ackDelay` is the peer's decoded ACK Delay; `maxAckDelay` is the peer's
   * max_ack_delay once the handshake is confirmed and Infinity before (RFC 9002 §5.3: the delay is
   * only capped after confirmation).
   */
  update(latestRtt: number, ackDelay: number, now: number, maxAckDelay = Infinity): void {
    if (latestRtt < 0) latestRtt = 0;
    this.latest = latestRtt;
    if (this.firstSampleTime < 0) {
      // RFC 9002 §5.3: the first sample resets the estimator.
      this.min = latestRtt;
      this.smoothed = latestRtt;
      this.rttvar = latestRtt / 2;
      this.firstSampleTime = now;
      return;
    }
    // RFC 9002 §5.2: min_rtt ignores acknowledgment delay.
    if (latestRtt < this.min) this.min = latestRtt;
    const delay = ackDelay > maxAckDelay ? maxAckDelay : ackDelay;
    // RFC 9002 §5.3: never let the delay push the sample below min_rtt.
    const adjusted = latestRtt >= this.min + delay ? latestRtt - delay : latestRtt;
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.smoothed - adjusted);
    this.smoothed = 0.875 * this.smoothed + 0.125 * adjusted;
  }

  /**
   * The PTO period without backoff: smoothed_rtt + max(4*rttvar, kGranularity) + maxAckDelay
   * (RFC 9002 §6.2.1; pass 0 for the Initial and Handshake spaces).
   */
  pto(maxAckDelay: number): number {
    return this.smoothed + Math.max(4 * this.rttvar, GRANULARITY) + maxAckDelay;
  }

  /** The persistent congestion duration (RFC 9002 §7.6.1). */
  persistentCongestionDuration(maxAckDelay: number, threshold: number): number {
    return this.pto(maxAckDelay) * threshold;
  }

  /** RFC 9002 §5.2: after persistent congestion, min_rtt restarts from the newest sample. */
  resetMinToLatest(): void {
    if (this.hasSample) this.min = this.latest;
  }

  /** Back to the initial state, e.g. on a new path (RFC 9000 §9.4). */
  reset(initialRtt: number = this.#initialRtt): void {
    this.latest = 0;
    this.min = 0;
    this.smoothed = initialRtt;
    this.rttvar = initialRtt / 2;
    this.firstSampleTime = -1;
  }
}
