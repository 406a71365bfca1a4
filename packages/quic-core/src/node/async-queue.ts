/**
 * A small unbounded async queue: producers push, one or more consumers iterate with
 * `for await`; `end()` finishes every pending and future read. Used for incoming connections,
 * incoming streams and datagrams of the public API.
 * @module
 */

export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #head = 0;
  readonly #waiters: ((r: IteratorResult<T>) => void)[] = [];
  #ended = false;

  /** Items waiting to be read. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(item: T): void {
    if (this.#ended) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter({ value: item, done: false });
    else this.#items.push(item);
  }

  /** No more items: reads return done once the queued items are consumed. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const w of this.#waiters.splice(0)) w({ value: undefined, done: true });
  }

  /** The next item, or undefined when the queue has ended. */
  async next(): Promise<T | undefined> {
    const r = await this.#read();
    return r.done ? undefined : r.value;
  }

  #read(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++]!;
      if (this.#head > 256 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.#read(),
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }
}
