/**
 * A compact set of non-negative integers kept as sorted, disjoint, non-adjacent inclusive ranges.
 * Used for received packet numbers (the content of ACK frames, RFC 9000 §19.3.1) and for
 * packet numbers declared lost. Ranges live in one flat array `[lo0, hi0, lo1, hi1, ...]` in
 * ascending order, so appending the next packet number (the common case) is O(1) and lookups
 * are a binary search; nothing is allocated per value.
 * @module
 */

export class RangeSet {
  /** Flat ascending `[lo, hi]` pairs, inclusive, with at least one missing value between pairs. */
  #r: number[] = [];

  /** Number of ranges. */
  get length(): number {
    return this.#r.length >> 1;
  }

  get isEmpty(): boolean {
    return this.#r.length === 0;
  }

  /** Low end of the `i`-th range in ascending order. */
  lo(i: number): number {
    return this.#r[2 * i]!;
  }

  /** High end of the `i`-th range in ascending order. */
  hi(i: number): number {
    return this.#r[2 * i + 1]!;
  }

  /** Smallest value, or undefined when empty. */
  min(): number | undefined {
    return this.#r[0];
  }

  /** Largest value, or undefined when empty. */
  max(): number | undefined {
    return this.#r.length === 0 ? undefined : this.#r[this.#r.length - 1];
  }

  /** Total number of values in the set. */
  count(): number {
    let n = 0;
    for (let i = 0; i < this.#r.length; i += 2) n += this.#r[i + 1]! - this.#r[i]! + 1;
    return n;
  }

  /** Index (ascending) of the range holding `v`, or -1. */
  indexOf(v: number): number {
    const i = this.#firstEndingAtOrAfter(v);
    return i < this.length && this.#r[2 * i]! <= v ? i : -1;
  }

  has(v: number): boolean {
    const i = this.#firstEndingAtOrAfter(v);
    return i < this.length && this.#r[2 * i]! <= v;
  }

  /** True when any value of `[lo, hi]` is in the set. */
  intersects(lo: number, hi: number): boolean {
    const i = this.#firstEndingAtOrAfter(lo);
    return i < this.length && this.#r[2 * i]! <= hi;
  }

  /** Adds `v`; returns false when it was already present. */
  insert(v: number): boolean {
    const r = this.#r;
    const n = r.length;
    if (n === 0) {
      this.#r = [v, v]; // room for one range: a set that stays one range (the common case) holds no more
      return true;
    }
    if (v > r[n - 1]! + 1) {
      r.push(v, v);
      return true;
    }
    if (v === r[n - 1]! + 1) {
      r[n - 1] = v;
      return true;
    }
    return this.insertRange(v, v);
  }

  /** Adds every value of `[lo, hi]`; returns false when all were already present. */
  insertRange(lo: number, hi: number): boolean {
    if (lo > hi) return false;
    const r = this.#r;
    // First range that overlaps or touches [lo, hi] from the left: hi_i >= lo - 1.
    const i = this.#firstEndingAtOrAfter(lo - 1);
    // Last range that overlaps or touches from the right: lo_j <= hi + 1.
    const j = this.#firstStartingAfter(hi + 1) - 1;
    if (i > j) {
      r.splice(2 * i, 0, lo, hi);
      return true;
    }
    const curLo = r[2 * i]!;
    const curHi = r[2 * j + 1]!;
    if (i === j && curLo <= lo && curHi >= hi) return false;
    const newLo = lo < curLo ? lo : curLo;
    const newHi = hi > curHi ? hi : curHi;
    if (i === j) {
      r[2 * i] = newLo;
      r[2 * i + 1] = newHi;
    } else {
      r.splice(2 * i, 2 * (j - i + 1), newLo, newHi);
    }
    return true;
  }

  /** Removes every value of `[lo, hi]`, splitting a range when the hole is inside it. */
  remove(lo: number, hi: number): void {
    if (lo > hi) return;
    const r = this.#r;
    const i = this.#firstEndingAtOrAfter(lo);
    const j = this.#firstStartingAfter(hi) - 1;
    if (i > j) return;
    const firstLo = r[2 * i]!;
    const lastHi = r[2 * j + 1]!;
    const keepLeft = firstLo < lo;
    const keepRight = lastHi > hi;
    const count = 2 * (j - i + 1);
    if (keepLeft && keepRight) r.splice(2 * i, count, firstLo, lo - 1, hi + 1, lastHi);
    else if (keepLeft) r.splice(2 * i, count, firstLo, lo - 1);
    else if (keepRight) r.splice(2 * i, count, hi + 1, lastHi);
    else r.splice(2 * i, count);
  }

  /** Removes every value below `v`. */
  removeBelow(v: number): void {
    const r = this.#r;
    const i = this.#firstEndingAtOrAfter(v);
    if (i > 0) r.splice(0, 2 * i);
    if (r.length > 0 && r[0]! < v) r[0] = v;
  }

  /** Removes the lowest range and returns its high end, or undefined when empty. */
  popMin(): number | undefined {
    if (this.#r.length === 0) return undefined;
    const hi = this.#r[1]!;
    this.#r.splice(0, 2);
    return hi;
  }

  clear(): void {
    this.#r = [];
  }

  /** The ranges as `[lo, hi]` pairs in ascending order (allocates; for tests and logs). */
  toArray(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.#r.length; i += 2) out.push([this.#r[i]!, this.#r[i + 1]!]);
    return out;
  }

  /** Index of the first range whose high end is >= v (length when none). */
  #firstEndingAtOrAfter(v: number): number {
    const r = this.#r;
    let a = 0;
    let b = r.length >> 1;
    while (a < b) {
      const m = (a + b) >> 1;
      if (r[2 * m + 1]! < v) a = m + 1;
      else b = m;
    }
    return a;
  }

  /** Index of the first range whose low end is > v (length when none). */
  #firstStartingAfter(v: number): number {
    const r = this.#r;
    let a = 0;
    let b = r.length >> 1;
    while (a < b) {
      const m = (a + b) >> 1;
      if (r[2 * m]! <= v) a = m + 1;
      else b = m;
    }
    return a;
  }
}
