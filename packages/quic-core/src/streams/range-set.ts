/**
 * A set of disjoint half-open byte ranges `[start, end)`, kept sorted and merged. Used by the send
 * buffer for lost and out-of-order acknowledged ranges. Operations cost O(log n + k) for k
 * ranges touched, plus an array splice.
 * @module
 */

export class ByteRanges {
  /** starts[i] < ends[i] <= starts[i+1]; adjacent ranges are merged. */
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];

  /** Number of disjoint ranges. */
  get count(): number {
    return this.#starts.length;
  }

  get isEmpty(): boolean {
    return this.#starts.length === 0;
  }

  /** The lowest range, or undefined. */
  first(): [start: number, end: number] | undefined {
    if (this.#starts.length === 0) return undefined;
    return [this.#starts[0]!, this.#ends[0]!];
  }

  /** Total bytes covered. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.#starts.length; i++) n += this.#ends[i]! - this.#starts[i]!;
    return n;
  }

  /** The ranges in ascending order (a copy, for tests and diagnostics). */
  toArray(): Array<[number, number]> {
    return this.#starts.map((s, i) => [s, this.#ends[i]!]);
  }

  /** Adds `[start, end)`. */
  add(start: number, end: number): void {
    if (end <= start) return;
    // First range whose end >= start (touching ranges merge).
    const i = this.#firstEndingAtOrAfter(start);
    let j = i;
    let s = start;
    let e = end;
    while (j < this.#starts.length && this.#starts[j]! <= end) {
      s = Math.min(s, this.#starts[j]!);
      e = Math.max(e, this.#ends[j]!);
      j++;
    }
    this.#starts.splice(i, j - i, s);
    this.#ends.splice(i, j - i, e);
  }

  /** Removes `[start, end)`. */
  remove(start: number, end: number): void {
    if (end <= start) return;
    // First range whose end > start.
    let i = this.#firstEndingAtOrAfter(start);
    if (i < this.#starts.length && this.#ends[i] === start) i++;
    let j = i;
    const keepS: number[] = [];
    const keepE: number[] = [];
    while (j < this.#starts.length && this.#starts[j]! < end) {
      const s = this.#starts[j]!;
      const e = this.#ends[j]!;
      if (s < start) {
        keepS.push(s);
        keepE.push(start);
      }
      if (e > end) {
        keepS.push(end);
        keepE.push(e);
      }
      j++;
    }
    if (j === i) return;
    this.#starts.splice(i, j - i, ...keepS);
    this.#ends.splice(i, j - i, ...keepE);
  }

  /** Calls `fn` for each maximal part of `[start, end)` NOT covered by the set, in order. */
  forEachGap(start: number, end: number, fn: (s: number, e: number) => void): void {
    let cur = start;
    let i = this.#firstEndingAtOrAfter(start);
    while (cur < end && i < this.#starts.length && this.#starts[i]! < end) {
      const s = this.#starts[i]!;
      if (s > cur) fn(cur, s);
      cur = Math.max(cur, this.#ends[i]!);
      i++;
    }
    if (cur < end) fn(cur, end);
  }

  /** Index of the first range with end >= x. */
  #firstEndingAtOrAfter(x: number): number {
    let lo = 0;
    let hi = this.#ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ends[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
