/**
 * A fake monotonic clock in milliseconds for sans-IO tests: time moves only when a test or the
 * simulator moves it, so timer-driven behaviour is exact and never depends on the machine.
 * @module
 */

export class FakeClock {
  #now: number;

  constructor(start = 0) {
    if (!Number.isFinite(start)) throw new RangeError(`clock start must be finite, got ${start}`);
    this.#now = start;
  }

  /** Current time in milliseconds. */
  get now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` (>= 0) and returns the new time. */
  advance(ms: number): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.#now += ms;
    return this.#now;
  }

  /** Moves time to `time`, which may not be in the past (the clock is monotonic). */
  jumpTo(time: number): number {
    if (!Number.isFinite(time) || time < this.#now) throw new RangeError(`cannot move the clock back from ${this.#now} to ${time}`);
    this.#now = time;
    return this.#now;
  }
}
