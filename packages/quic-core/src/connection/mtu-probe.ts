/**
 * Datagram Packetization Layer PMTU Discovery (RFC 9000 §14.3, RFC 8899): a connection sends
 * 1200-byte datagrams until a larger size is proven. After the handshake is confirmed, probe
 * packets (PING + PADDING, RFC 9000 §14.4) of a candidate size are sent one at a time; an
 * acknowledged probe raises the size, three lost probes of one size lower the candidate (a binary
 * search between the proven size and the largest size both ends accept).
 *
 * Probe losses say nothing about congestion (RFC 9000 §14.4), so probes are sent outside the
 * congestion window and their loss triggers no congestion reaction.
 * @module
 */

/** The size every QUIC path carries (RFC 9000 §14). */
export const BASE_DATAGRAM_SIZE = 1200;
/** Lost probes of one size before a smaller size is tried (RFC 8899 MAX_PROBES). */
const MAX_PROBES = 3;
/** The search stops when the candidate range is narrower than this many bytes. */
const SEARCH_GRANULARITY = 16;

export class MtuProber {
  /** The largest datagram size proven to pass. */
  current = BASE_DATAGRAM_SIZE;
  /** Lower bound (proven) and upper bound (not yet failed) of the search. */
  #lo = BASE_DATAGRAM_SIZE;
  #hi = BASE_DATAGRAM_SIZE;
  #candidate = 0;
  #attempts = 0;
  #outstanding = false;
  #active = false;

  /** Starts the search up to `target` bytes (our limit and the peer's max_udp_payload_size). */
  start(target: number): void {
    if (this.#active || target <= this.current) return;
    this.#active = true;
    this.#hi = target;
    // Most paths carry the configured size: try it first.
    this.#candidate = target;
    this.#attempts = 0;
  }

  /** The size of the probe to send now, or 0. */
  get probeSize(): number {
    return this.#active && !this.#outstanding ? this.#candidate : 0;
  }

  /** A probe of the candidate size was sent. */
  onProbeSent(): void {
    this.#outstanding = true;
  }

  /** A probe of `size` bytes was acknowledged; returns true when the proven size grew. */
  onProbeAcked(size: number): boolean {
    this.#outstanding = false;
    if (size <= this.current) return false;
    this.current = size;
    this.#lo = size;
    this.#attempts = 0;
    this.#next();
    return true;
  }

  /** A probe of `size` bytes was declared lost. */
  onProbeLost(size: number): void {
    this.#outstanding = false;
    if (!this.#active || size !== this.#candidate) return;
    if (++this.#attempts < MAX_PROBES) return;
    this.#hi = size - 1;
    this.#attempts = 0;
    this.#next();
  }

  #next(): void {
    if (this.#hi - this.#lo < SEARCH_GRANULARITY) {
      this.#active = false;
      return;
    }
    this.#candidate = this.#lo + Math.ceil((this.#hi - this.#lo) / 2);
  }
}
