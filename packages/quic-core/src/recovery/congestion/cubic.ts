/**
 * CUBIC (RFC 9438) as a window-adjustment strategy over the classic core. Windows are bytes:
 * the cubic function of §4.2 is scaled by the maximum datagram size, and its time unit stays the
 * second (t and K in seconds, C = 0.4 segments/s^3).
 * @module
 */
import { ClassicController, type ClassicOptions, type WindowAdjustment } from './classic.ts';

/** C, the aggressiveness constant (RFC 9438 §5.1). */
export const CUBIC_C = 0.4;
/** beta_cubic, the multiplicative decrease factor (RFC 9438 §4.6). */
export const CUBIC_BETA = 0.7;

export interface CubicOptions extends ClassicOptions {
  /** Fast convergence (RFC 9438 §4.7), default true. */
  fastConvergence?: boolean;
}

export class CubicWindow implements WindowAdjustment {
  readonly c: number;
  readonly beta: number;
  /** alpha_cubic = 3 * (1 - beta) / (1 + beta) (RFC 9438 §4.3). */
  readonly alpha: number;
  readonly fastConvergence: boolean;
  /** W_max in bytes. */
  wMax = 0;
  /** cwnd_prior in bytes. */
  cwndPrior = 0;
  /** K in seconds. */
  k = 0;
  /** t_epoch in ms, or -1 outside a congestion avoidance stage. */
  epochStart = -1;
  /** cwnd_epoch in bytes. */
  cwndEpoch = 0;
  /** W_est in bytes. */
  wEst = 0;
  #lastUpdate = 0;
  #appLimitedSince = -1;
  #afterTimeout = false;
  #undo: number[] = [];

  constructor(options: { fastConvergence?: boolean; c?: number; beta?: number } = {}) {
    this.c = options.c ?? CUBIC_C;
    this.beta = options.beta ?? CUBIC_BETA;
    this.alpha = (3 * (1 - this.beta)) / (1 + this.beta);
    this.fastConvergence = options.fastConvergence ?? true;
  }

  /** W_cubic(t) in bytes, t in seconds since t_epoch (RFC 9438 eq. 1). */
  wCubic(t: number, mds: number): number {
    const d = t - this.k;
    return this.c * mds * d * d * d + this.wMax;
  }

  increase(cwnd: number, ackedBytes: number, now: number, smoothedRtt: number, mds: number): number {
    if (this.epochStart < 0) {
      this.#startEpoch(cwnd, now, mds);
    } else if (this.#appLimitedSince >= 0) {
      // RFC 9438 §4.2: t excludes periods when the window did not grow for lack of data.
      this.epochStart += now - this.#appLimitedSince;
      this.#appLimitedSince = -1;
    }
    this.#lastUpdate = now;
    const t = (now - this.epochStart) / 1000;
    // RFC 9438 §4.2: target = W_cubic(t + RTT), kept within [cwnd, 1.5 cwnd].
    let target = this.wCubic(t + smoothedRtt / 1000, mds);
    if (target < cwnd) target = cwnd;
    else if (target > 1.5 * cwnd) target = 1.5 * cwnd;
    // RFC 9438 §4.3 eq. 4 in bytes; alpha becomes 1 once W_est reaches cwnd_prior.
    const alpha = this.wEst >= this.cwndPrior ? 1 : this.alpha;
    this.wEst += (alpha * mds * ackedBytes) / cwnd;
    if (this.wCubic(t, mds) < this.wEst) {
      // Reno-friendly region: follow W_est (never shrinking the window on an ACK).
      return this.wEst > cwnd ? this.wEst - cwnd : 0;
    }
    // Concave and convex regions (RFC 9438 §4.4, §4.5): (target - cwnd) / cwnd per segment.
    return ((target - cwnd) * ackedBytes) / cwnd;
  }

  onCongestionEvent(cwnd: number, _now: number, mds: number): number {
    this.epochStart = -1;
    this.#appLimitedSince = -1;
    this.#afterTimeout = false;
    // RFC 9438 §4.7: fast convergence lowers W_max when the saturation point dropped.
    this.wMax = this.fastConvergence && cwnd < this.wMax ? (cwnd * (1 + this.beta)) / 2 : cwnd;
    this.cwndPrior = cwnd;
    // RFC 9438 §4.6: ssthresh = cwnd * beta, at least 2 segments.
    const ssthresh = cwnd * this.beta;
    return ssthresh > 2 * mds ? ssthresh : 2 * mds;
  }

  onPersistentCongestion(): void {
    // RFC 9438 §4.8: the next stage starts with K = 0 and W_max = its initial window.
    this.epochStart = -1;
    this.#appLimitedSince = -1;
    this.#afterTimeout = true;
  }

  onAppLimited(_now: number): void {
    if (this.epochStart >= 0 && this.#appLimitedSince < 0) this.#appLimitedSince = this.#lastUpdate;
  }

  saveUndo(): void {
    this.#undo = [this.wMax, this.cwndPrior, this.k, this.epochStart, this.cwndEpoch, this.wEst, this.#lastUpdate];
  }

  restoreUndo(): void {
    const u = this.#undo;
    if (u.length === 0) return;
    [this.wMax, this.cwndPrior, this.k, this.epochStart, this.cwndEpoch, this.wEst, this.#lastUpdate] = u as [number, number, number, number, number, number, number];
    this.#appLimitedSince = -1;
  }

  reset(): void {
    this.wMax = 0;
    this.cwndPrior = 0;
    this.k = 0;
    this.epochStart = -1;
    this.cwndEpoch = 0;
    this.wEst = 0;
    this.#lastUpdate = 0;
    this.#appLimitedSince = -1;
    this.#afterTimeout = false;
    this.#undo = [];
  }

  #startEpoch(cwnd: number, now: number, mds: number): void {
    this.epochStart = now;
    this.cwndEpoch = cwnd;
    this.wEst = cwnd;
    this.#appLimitedSince = -1;
    if (this.#afterTimeout || this.wMax <= cwnd) {
      // RFC 9438 §4.8, §4.10: no plateau to return to.
      this.k = 0;
      this.wMax = cwnd;
      this.#afterTimeout = false;
    } else {
      // RFC 9438 eq. 2, in bytes: K = cbrt((W_max - cwnd_epoch) / C).
      this.k = Math.cbrt((this.wMax - cwnd) / (this.c * mds));
    }
  }
}

export class Cubic extends ClassicController {
  readonly cubic: CubicWindow;

  constructor(options: CubicOptions = {}) {
    const cubic = new CubicWindow(options.fastConvergence === undefined ? {} : { fastConvergence: options.fastConvergence });
    super('cubic', cubic, options);
    this.cubic = cubic;
  }
}
