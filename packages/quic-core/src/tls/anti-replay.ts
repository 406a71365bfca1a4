/**
 * 0-RTT anti-replay (RFC 8446 §8): single-use ticket tracking within the freshness window. The
 * server accepts early data only when the ticket's expected arrival time (issue time plus the
 * client's ticket age) is within the window of `now` (§8.3); a ticket is then remembered until
 * that window closes, so the same ticket cannot carry early data twice (§8.1). A replay after
 * the window fails the freshness check instead. The filter is per server process: servers
 * sharing ticket keys must share one filter, or replays across them stay possible.
 * @module
 */
import { toHex } from '../codec/hex.ts';

export interface TlsAntiReplay {
  /**
   * Records that `id` (a ticket identity digest) carries 0-RTT and returns true, or returns
   * false when it was already seen. `until` is when the record may be forgotten (ms).
   */
  accept(id: Uint8Array, until: number, now: number): boolean;
}

/** A bounded in-memory single-use filter. When full it refuses early data (fails closed). */
export class TlsReplayFilter implements TlsAntiReplay {
  private readonly seen = new Map<string, number>();
  private nextPurge = -Infinity;

  constructor(private readonly maxEntries = 100_000) {}

  accept(id: Uint8Array, until: number, now: number): boolean {
    if (now >= this.nextPurge || this.seen.size >= this.maxEntries) this.purge(now);
    const key = toHex(id);
    const expiry = this.seen.get(key);
    if (expiry !== undefined && expiry >= now) return false;
    if (this.seen.size >= this.maxEntries) return false;
    this.seen.set(key, until);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  /** Drops expired records; runs at most once per second of `now` unless the filter is full. */
  private purge(now: number): void {
    this.nextPurge = now + 1000;
    for (const [k, until] of this.seen) if (until < now) this.seen.delete(k);
  }
}
