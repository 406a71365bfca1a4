/**
 * Token-bucket pacing (RFC 9002 §7.7): tokens (bytes) refill at N * cwnd / smoothed_rtt with
 * N = 1.25, up to a burst allowance of a few datagrams, or of what the rate brings in during one
 * burst interval when that is more (never more than the window, at least two datagrams). ACK-only
 * packets are not paced; the caller simply does not ask.
 * @module
 */
import { GRANULARITY, MIN_MAX_DATAGRAM_SIZE, PACING_GAIN } from './constants.ts';

export interface PacerOptions {
  /** Default 1200. */
  maxDatagramSize?: number;
  /** Datagrams that may leave back to back (default 10, the initial window's worth, §7.7). */
  burstPackets?: number;
  /** N in rate = N * cwnd / srtt (default 1.25). */
  gain?: number;
  /**
   * The bucket holds at least what the rate brings in over this many ms (default 2). A driver's
   * timer fires at ms granularity and often late; with a bucket of only `burstPackets` the rate
   * would be capped near burstPackets datagrams per timer tick (RFC 9002 §7.7 allows for such
   * scheduling limits).
   */
  burstInterval?: number;
}

export class Pacer {
  readonly burstPackets: number;
  readonly gain: number;
  readonly burstInterval: number;
  #mds: number;
  #rate = 0;
  #capacity: number;
  #tokens: number;
  #last = -Infinity;

  constructor(options: PacerOptions = {}) {
    this.#mds = options.maxDatagramSize ?? MIN_MAX_DATAGRAM_SIZE;
    this.burstPackets = options.burstPackets ?? 10;
    this.gain = options.gain ?? PACING_GAIN;
    this.burstInterval = options.burstInterval ?? 2 * GRANULARITY;
    this.#capacity = this.burstPackets * this.#mds;
    this.#tokens = this.#capacity;
  }

  /** Current rate in bytes per ms (0 until {@link setRate}). */
  get rate(): number {
    return this.#rate;
  }

  /** Bucket size in bytes. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Sets the rate and burst allowance from the congestion window and smoothed RTT. */
  setRate(cwnd: number, smoothedRtt: number, maxDatagramSize: number = this.#mds): void {
    this.#mds = maxDatagramSize;
    const rtt = smoothedRtt > GRANULARITY ? smoothedRtt : GRANULARITY;
    this.#rate = (this.gain * cwnd) / rtt;
    let cap = this.burstPackets * maxDatagramSize;
    const perInterval = this.#rate * this.burstInterval;
    if (perInterval > cap) cap = perInterval;
    if (cap > cwnd) cap = cwnd;
    if (cap < 2 * maxDatagramSize) cap = 2 * maxDatagramSize;
    this.#capacity = cap;
    if (this.#tokens > cap) this.#tokens = cap;
  }

  /** Bytes that may be sent right now (after refilling to `now`). */
  tokens(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /**
   * Earliest time at which a packet of `bytes` may leave: `now` when the bucket holds enough
   * tokens (a packet larger than the bucket waits for a full bucket), later otherwise.
   */
  nextSendTime(now: number, bytes: number): number {
    this.#refill(now);
    const need = bytes < this.#capacity ? bytes : this.#capacity;
    // A deficit of a millionth of a byte is rounding in the refill, not a reason to wait.
    if (this.#tokens + 1e-6 >= need) return now;
    if (this.#rate <= 0) return now;
    return now + (need - this.#tokens) / this.#rate;
  }

  /** A paced packet of `bytes` left at `now`. */
  onPacketSent(now: number, bytes: number): void {
    this.#refill(now);
    this.#tokens -= bytes;
    if (this.#tokens < 0) this.#tokens = 0;
  }

  #refill(now: number): void {
    if (now > this.#last) {
      if (this.#last !== -Infinity) {
        this.#tokens += (now - this.#last) * this.#rate;
        if (this.#tokens > this.#capacity) this.#tokens = this.#capacity;
      }
      this.#last = now;
    }
  }
}
