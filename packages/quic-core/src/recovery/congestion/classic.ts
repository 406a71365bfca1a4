/**
 * The part of a loss-based congestion controller shared by NewReno and CUBIC (RFC 9002 §7 and
 * Appendix B): bytes in flight, slow start, the recovery period keyed to send times, the minimum
 * window, persistent congestion, app-limited detection and undo of spurious reductions. How the
 * window grows in congestion avoidance and how far it falls on congestion is a
 * {@link WindowAdjustment} strategy.
 * @module
 */
import { GRANULARITY, MIN_MAX_DATAGRAM_SIZE, PACING_GAIN, initialWindow, minimumWindow } from '../constants.ts';
import type { RttEstimator } from '../rtt.ts';
import type { CongestionController, CongestionPacket } from './controller.ts';

/** What differs between NewReno and CUBIC. Windows are bytes, times ms. */
export interface WindowAdjustment {
  /**
   * Congestion avoidance: bytes to add to `cwnd` for `ackedBytes` newly acknowledged by an ACK
   * received at `now` (may be fractional).
   */
  increase(cwnd: number, ackedBytes: number, now: number, smoothedRtt: number, maxDatagramSize: number): number;
  /** A congestion event at window `cwnd`: returns the new ssthresh (the core applies the minimum). */
  onCongestionEvent(cwnd: number, now: number, maxDatagramSize: number): number;
  /** The window collapsed after persistent congestion. */
  onPersistentCongestion(): void;
  /** An ACK arrived while the sender was app-limited: the window did not grow. */
  onAppLimited(now: number): void;
  /** Keeps what a spurious congestion event would need to undo. */
  saveUndo(): void;
  restoreUndo(): void;
  reset(): void;
}

export interface ClassicOptions {
  /** Default 1200. */
  maxDatagramSize?: number;
  /** Default min(10 * mds, max(14720, 2 * mds)). */
  initialWindow?: number;
  /**
   * Detect app-limited periods from bytes in flight at ACK time (default true): the window does
   * not grow while it is under-used (RFC 9002 §7.8).
   */
  detectAppLimited?: boolean;
}

export class ClassicController implements CongestionController {
  readonly name: string;
  #mds: number;
  #cwnd: number;
  #ssthresh = Infinity;
  #bytesInFlight = 0;
  #recoveryStart = -Infinity;
  readonly #initialWindowOption: number | undefined;
  readonly #detectAppLimited: boolean;
  readonly #adjust: WindowAdjustment;
  #undoValid = false;
  #undoCwnd = 0;
  #undoSsthresh = 0;
  #undoRecoveryStart = 0;

  constructor(name: string, adjust: WindowAdjustment, options: ClassicOptions = {}) {
    this.name = name;
    this.#adjust = adjust;
    this.#mds = options.maxDatagramSize ?? MIN_MAX_DATAGRAM_SIZE;
    if (!(this.#mds >= MIN_MAX_DATAGRAM_SIZE)) throw new RangeError(`max datagram size must be at least ${MIN_MAX_DATAGRAM_SIZE}, got ${this.#mds}`);
    this.#initialWindowOption = options.initialWindow;
    this.#detectAppLimited = options.detectAppLimited ?? true;
    this.#cwnd = this.#initialWindow();
  }

  get window(): number {
    return Math.floor(this.#cwnd);
  }

  get ssthresh(): number {
    return this.#ssthresh;
  }

  get bytesInFlight(): number {
    return this.#bytesInFlight;
  }

  get maxDatagramSize(): number {
    return this.#mds;
  }

  get inSlowStart(): boolean {
    return this.#cwnd < this.#ssthresh;
  }

  /** Start of the current recovery period, or -Infinity. */
  get recoveryStartTime(): number {
    return this.#recoveryStart;
  }

  get minimumWindow(): number {
    return minimumWindow(this.#mds);
  }

  inRecovery(sentTime: number): boolean {
    return sentTime <= this.#recoveryStart;
  }

  canSend(bytes: number): boolean {
    return this.#bytesInFlight + bytes <= this.#cwnd;
  }

  available(): number {
    const room = Math.floor(this.#cwnd) - this.#bytesInFlight;
    return room > 0 ? room : 0;
  }

  onPacketSent(_now: number, bytes: number): void {
    this.#bytesInFlight += bytes;
  }

  onPacketsAcked(now: number, acked: readonly CongestionPacket[], rtt: RttEstimator): void {
    // Judged once per ACK, on the flight before this ACK's packets leave it.
    const appLimited = this.#detectAppLimited && this.#isAppLimited();
    let grew = false;
    for (let i = 0; i < acked.length; i++) {
      const p = acked[i]!;
      if (!p.inFlight) continue;
      this.#bytesInFlight -= p.size;
      // RFC 9002 B.5: no growth while app-limited or in the recovery period.
      if (appLimited || this.inRecovery(p.timeSent)) continue;
      grew = true;
      if (this.#cwnd < this.#ssthresh) this.#cwnd += p.size; // slow start
      else this.#cwnd += this.#adjust.increase(this.#cwnd, p.size, now, rtt.smoothed, this.#mds);
    }
    if (this.#bytesInFlight < 0) this.#bytesInFlight = 0;
    if (appLimited && !grew) this.#adjust.onAppLimited(now);
  }

  removeFromFlight(bytes: number): void {
    this.#bytesInFlight -= bytes;
    if (this.#bytesInFlight < 0) this.#bytesInFlight = 0;
  }

  onCongestionEvent(now: number, sentTime: number): void {
    // RFC 9002 §7.3.2: one reduction per recovery period.
    if (this.inRecovery(sentTime)) return;
    this.#undoValid = true;
    this.#undoCwnd = this.#cwnd;
    this.#undoSsthresh = this.#ssthresh;
    this.#undoRecoveryStart = this.#recoveryStart;
    this.#adjust.saveUndo();
    this.#recoveryStart = now;
    this.#ssthresh = Math.floor(this.#adjust.onCongestionEvent(this.#cwnd, now, this.#mds));
    const min = minimumWindow(this.#mds);
    this.#cwnd = this.#ssthresh > min ? this.#ssthresh : min;
  }

  onEcnCe(now: number, sentTime: number): void {
    this.onCongestionEvent(now, sentTime);
  }

  onPersistentCongestion(_now: number): void {
    this.#cwnd = minimumWindow(this.#mds);
    this.#recoveryStart = -Infinity;
    this.#undoValid = false;
    this.#adjust.onPersistentCongestion();
  }

  onSpuriousCongestionEvent(): void {
    // RFC 9438 §4.9.2: restore only while the window is still below what it was.
    if (!this.#undoValid || this.#cwnd >= this.#undoCwnd) return;
    this.#undoValid = false;
    this.#cwnd = this.#undoCwnd;
    this.#ssthresh = this.#undoSsthresh;
    this.#recoveryStart = this.#undoRecoveryStart;
    this.#adjust.restoreUndo();
  }

  onMtuUpdate(maxDatagramSize: number): void {
    if (!(maxDatagramSize >= MIN_MAX_DATAGRAM_SIZE)) throw new RangeError(`max datagram size must be at least ${MIN_MAX_DATAGRAM_SIZE}`);
    const wasInitial = this.#cwnd === this.#initialWindow() && this.#ssthresh === Infinity;
    this.#mds = maxDatagramSize;
    // RFC 9002 §7.2: the initial window follows the datagram size.
    if (wasInitial) this.#cwnd = this.#initialWindow();
    const min = minimumWindow(maxDatagramSize);
    if (this.#cwnd < min) this.#cwnd = min;
  }

  pacingRate(smoothedRtt: number): number {
    const rtt = smoothedRtt > GRANULARITY ? smoothedRtt : GRANULARITY;
    return (PACING_GAIN * this.#cwnd) / rtt;
  }

  reset(): void {
    this.#cwnd = this.#initialWindow();
    this.#ssthresh = Infinity;
    this.#bytesInFlight = 0;
    this.#recoveryStart = -Infinity;
    this.#undoValid = false;
    this.#adjust.reset();
  }

  /**
   * Under-use of the window (RFC 9002 §7.8): in slow start, less than half the window in
   * flight (the window may have doubled since the sender filled it); in congestion avoidance,
   * more than three datagrams of room left.
   */
  #isAppLimited(): boolean {
    const inFlight = this.#bytesInFlight;
    if (inFlight >= this.#cwnd) return false;
    if (this.#cwnd < this.#ssthresh) return inFlight < this.#cwnd / 2;
    return inFlight + 3 * this.#mds < this.#cwnd;
  }

  #initialWindow(): number {
    return this.#initialWindowOption ?? initialWindow(this.#mds);
  }
}
