/**
 * A binary min-heap of deadlines with lazy deletion, so an endpoint with many connections finds
 * the earliest timer in O(log n) instead of asking every connection. Each item carries the
 * deadline it was pushed with; the owner keeps the item's current deadline and entries that no
 * longer match it are skipped when they reach the top.
 * @module
 */

interface HeapEntry<T> {
  readonly at: number;
  readonly item: T;
}

export class TimerHeap<T> {
  readonly #heap: HeapEntry<T>[] = [];
  readonly #current: (item: T) => number | undefined;

  /** `current(item)` is the item's deadline now; entries whose deadline differs are stale. */
  constructor(current: (item: T) => number | undefined) {
    this.#current = current;
  }

  get size(): number {
    return this.#heap.length;
  }

  push(at: number, item: T): void {
    const h = this.#heap;
    h.push({ at, item });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= h[i]!.at) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  /** The earliest live deadline, or undefined. Stale entries on top are dropped. */
  peek(): number | undefined {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined) return undefined;
      if (this.#current(top.item) === top.at) return top.at;
      this.#pop();
    }
  }

  /** Removes and returns the live items due at or before `now`, earliest first. */
  popDue(now: number): T[] {
    const due = new Set<T>();
    for (;;) {
      const at = this.peek();
      if (at === undefined || at > now) return [...due];
      due.add(this.#pop()!.item);
    }
  }

  #pop(): HeapEntry<T> | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.at < h[m]!.at) m = l;
      if (r < h.length && h[r]!.at < h[m]!.at) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
    return top;
  }
}
