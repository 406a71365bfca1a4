/**
 * A limit on stateless resets sent (RFC 9000 §10.3.3: an endpoint can count the resets it sends
 * and stop at a limit; separate limits per remote address keep resets useful for other peers).
 * Token buckets per address and for the whole endpoint, refilled from the `now` given.
 * @module
 */

export interface StatelessResetLimiterOptions {
  /** Resets per second per remote address (default 4), with this burst (default 8). */
  readonly perAddressRate?: number;
  readonly perAddressBurst?: number;
  /** Resets per second for the whole endpoint (default 200), with this burst (default 400). */
  readonly globalRate?: number;
  readonly globalBurst?: number;
  /** How many addresses to track at most (default 4096); the longest-tracked are forgotten first. */
  readonly maxAddresses?: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

export class StatelessResetLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #globalRate: number;
  readonly #globalBurst: number;
  readonly #maxAddresses: number;
  readonly #buckets = new Map<string, Bucket>();
  #global: Bucket | undefined;

  constructor(options: StatelessResetLimiterOptions = {}) {
    this.#rate = options.perAddressRate ?? 4;
    this.#burst = options.perAddressBurst ?? 8;
    this.#globalRate = options.globalRate ?? 200;
    this.#globalBurst = options.globalBurst ?? 400;
    this.#maxAddresses = options.maxAddresses ?? 4096;
  }

  /** True (and the reset is counted) when a reset to `address` may be sent at `now`. */
  allow(address: string, now: number): boolean {
    this.#global ??= { tokens: this.#globalBurst, last: now };
    let bucket = this.#buckets.get(address);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxAddresses) {
        const oldest = this.#buckets.keys().next();
        if (oldest.done !== true) this.#buckets.delete(oldest.value);
      }
      bucket = { tokens: this.#burst, last: now };
      this.#buckets.set(address, bucket);
    }
    refill(this.#global, now, this.#globalRate, this.#globalBurst);
    refill(bucket, now, this.#rate, this.#burst);
    if (this.#global.tokens < 1 || bucket.tokens < 1) return false;
    this.#global.tokens -= 1;
    bucket.tokens -= 1;
    return true;
  }
}

function refill(bucket: Bucket, now: number, rate: number, burst: number): void {
  if (now > bucket.last) {
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.last) / 1000) * rate);
    bucket.last = now;
  }
}
