/**
 * Single use of NEW_TOKEN tokens (RFC 9000 §8.1.4: servers MUST prevent or limit replay, and
 * SHOULD NOT accept a NEW_TOKEN token more than once). Remembers the id of every accepted token
 * until the token expires. The memory is bounded: when full, expired ids go first, then the
 * oldest ones, so under pressure a replay may slip through rather than memory growing.
 * @module
 */
import { toHex } from '../codec/hex.ts';

export class TokenReplayFilter {
  readonly #capacity: number;
  /** Token id (hex) -> expiry time, in insertion order. */
  readonly #seen = new Map<string, number>();

  constructor(capacity = 65_536) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.#capacity = capacity;
  }

  /** How many ids are remembered. */
  get size(): number {
    return this.#seen.size;
  }

  /**
   * True the first time `id` is presented (it is then remembered until `expiresAt`), false for a
   * replay of a token that has not expired yet.
   */
  accept(id: Uint8Array, expiresAt: number, now: number): boolean {
    const key = toHex(id);
    const known = this.#seen.get(key);
    if (known !== undefined && known >= now) return false;
    if (known !== undefined) this.#seen.delete(key);
    if (this.#seen.size >= this.#capacity) this.#evict(now);
    this.#seen.set(key, expiresAt);
    return true;
  }

  #evict(now: number): void {
    for (const [key, expiry] of this.#seen) if (expiry < now) this.#seen.delete(key);
    while (this.#seen.size >= this.#capacity) {
      const oldest = this.#seen.keys().next();
      if (oldest.done === true) break;
      this.#seen.delete(oldest.value);
    }
  }
}
