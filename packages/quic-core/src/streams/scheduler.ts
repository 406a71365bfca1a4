/**
 * Round-robin order of streams with something to send: each stream served goes to the back of
 * the queue, so every stream gets a turn before any gets a second one. Insertion, removal and
 * rotation are O(1) (a JavaScript Set keeps insertion order).
 * @module
 */

export class RoundRobin {
  /** Created on first use: a connection that never sends on a stream holds no Set. */
  #queue: Set<number> | undefined;

  get size(): number {
    return this.#queue?.size ?? 0;
  }

  has(id: number): boolean {
    return this.#queue?.has(id) === true;
  }

  /** Adds `id` at the back; an id already queued keeps its place. */
  add(id: number): void {
    (this.#queue ??= new Set()).add(id);
  }

  delete(id: number): void {
    this.#queue?.delete(id);
  }

  /** The stream whose turn it is, without rotating. */
  peek(): number | undefined {
    if (this.#queue === undefined) return undefined;
    const it = this.#queue.values().next();
    return it.done === true ? undefined : it.value;
  }

  /** Moves `id` to the back of the queue (after it was served). */
  rotate(id: number): void {
    if (this.#queue?.delete(id) === true) this.#queue.add(id);
  }

  /** The ids in turn order (a copy, for tests and diagnostics). */
  toArray(): number[] {
    return this.#queue === undefined ? [] : [...this.#queue];
  }
}
